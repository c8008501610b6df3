//! The evidence pack (to be written).
