use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

use time::OffsetDateTime;

use super::read::read_from;
use super::write::Tail;
use super::*;
use crate::api::models::UserId;
use crate::runs::change::{Change, ItemResult};

fn run_record(run: &RunId, n: usize) -> Record {
    Record::Run {
        run: run.clone(),
        at: OffsetDateTime::UNIX_EPOCH,
        title: "disable".into(),
        origin: "https://api.datadoghq.com".into(),
        of: None,
        org: None,
        by: None,
        expect: Vec::new(),
        changes: (0..n)
            .map(|i| Change::Disable {
                user: UserId(format!("u{i}")),
            })
            .collect(),
    }
}

#[test]
fn a_run_reads_back_with_its_intents_and_outcomes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested/journal.jsonl");
    let journal = Journal::open(&path).unwrap();
    let run = RunId("r1".into());
    journal.append(&run_record(&run, 3), true).unwrap();
    let at = OffsetDateTime::UNIX_EPOCH;
    journal
        .append(
            &Record::Intent {
                run: run.clone(),
                item: 0,
                at,
                before: None,
            },
            true,
        )
        .unwrap();
    journal
        .append(
            &Record::Outcome {
                run: run.clone(),
                item: 0,
                at,
                result: ItemResult::done("disabled", None),
            },
            false,
        )
        .unwrap();
    journal
        .append(
            &Record::Intent {
                run: run.clone(),
                item: 1,
                at,
                before: None,
            },
            true,
        )
        .unwrap();
    let runs = read_runs(&path).unwrap();
    assert_eq!(runs.len(), 1);
    let state = &runs[0];
    assert_eq!(state.started, vec![true, true, false]);
    assert_eq!(
        state.tally(),
        Tally {
            done: 1,
            unfinished: 2,
            ..Tally::default()
        }
    );
    assert!(!state.is_complete());
    assert_eq!(find_run(&path, "r").unwrap().run, run);
    assert!(matches!(
        find_run(&path, "nope"),
        Err(JournalError::UnknownRun(_))
    ));
}

#[test]
fn a_torn_last_line_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let journal = Journal::open(&path).unwrap();
    journal
        .append(&run_record(&RunId("r1".into()), 1), true)
        .unwrap();
    drop(journal);
    let mut file = OpenOptions::new().append(true).open(&path).unwrap();
    file.write_all(b"{\"record\":\"outcome\",\"run\":\"r1\",\"it")
        .unwrap();
    let read = read_journal(&path).unwrap();
    assert_eq!(read.runs[0].tally().unfinished, 1);
    assert_eq!(read.skipped, 1, "the torn line is counted as damaged");
}

fn intent(run: &RunId, item: usize) -> Record {
    Record::Intent {
        run: run.clone(),
        item,
        at: OffsetDateTime::UNIX_EPOCH,
        before: None,
    }
}

fn append_raw(path: &Path, bytes: &[u8]) {
    let mut file = OpenOptions::new().append(true).open(path).unwrap();
    file.write_all(bytes).unwrap();
}

#[test]
fn a_torn_line_does_not_swallow_the_next_runs_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let (first, second) = (RunId("r1".into()), RunId("r2".into()));
    Journal::open(&path)
        .unwrap()
        .append(&run_record(&first, 2), true)
        .unwrap();
    // Killed (or out of disk) halfway through an intent.
    append_raw(&path, b"{\"record\":\"intent\",\"run\":\"r1\",\"it");

    let journal = Journal::open(&path).unwrap();
    journal.append(&run_record(&second, 2), true).unwrap();
    journal.append(&intent(&second, 0), true).unwrap();

    let read = read_journal(&path).unwrap();
    let ids: Vec<&str> = read.runs.iter().map(|r| r.run.0.as_str()).collect();
    assert_eq!(ids, ["r1", "r2"]);
    assert_eq!(read.runs[1].started, vec![true, false]);
    assert_eq!(read.skipped, 1);
    assert_eq!(find_run(&path, "r2").unwrap().run, second);
}

#[test]
fn opening_a_journal_that_ends_mid_line_finishes_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    std::fs::write(&path, b"{\"record\":\"ru").unwrap();
    Journal::open(&path).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"{\"record\":\"ru\n");
    // A journal that ends cleanly is left as it is.
    Journal::open(&path).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"{\"record\":\"ru\n");
}

#[test]
fn damaged_lines_are_skipped_and_counted_and_reading_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.jsonl");
    let journal = Journal::open(&path).unwrap();
    journal
        .append(&run_record(&RunId("r1".into()), 1), true)
        .unwrap();
    append_raw(&path, b"\xff\xfe not utf-8 \xc3\x28\n");
    append_raw(&path, b"{\"record\":\"run\",\"title\":\"\xff\"}\n");
    append_raw(&path, b"<html>502 Bad Gateway</html>\n");
    append_raw(&path, b"{\"record\":\"something_newer\",\"run\":\"r1\"}\n");
    append_raw(&path, b"[1, 2, 3]\n\n   \n");
    journal
        .append(&run_record(&RunId("r2".into()), 1), true)
        .unwrap();

    let read = read_journal(&path).unwrap();
    assert_eq!(read.runs.len(), 2, "the run after the damage is read");
    assert_eq!(read.skipped, 5, "blank lines are not damage");
}

#[test]
fn an_overlong_line_is_skipped_without_ending_the_read() {
    let mut text = serde_json::to_vec(&run_record(&RunId("r1".into()), 1)).unwrap();
    let limit = text.len() + 10;
    text.push(b'\n');
    text.extend(std::iter::repeat_n(b'x', limit * 3));
    text.push(b'\n');
    // Exactly at the limit and not a record: damaged, but not overlong.
    text.extend(std::iter::repeat_n(b'y', limit));
    text.push(b'\n');
    text.extend(serde_json::to_vec(&run_record(&RunId("r2".into()), 1)).unwrap());
    // An overlong last line without a newline.
    text.push(b'\n');
    text.extend(std::iter::repeat_n(b'z', limit + 1));

    let read = read_from(&text[..], limit).unwrap();
    let ids: Vec<&str> = read.runs.iter().map(|r| r.run.0.as_str()).collect();
    assert_eq!(ids, ["r1", "r2"]);
    assert_eq!(read.skipped, 3);
}

#[test]
fn a_record_glued_after_a_torn_fragment_is_kept() {
    // Another process appended right after a write of ours failed partway.
    let mut text = b"{\"record\":\"outcome\",\"run\":\"r1\",\"it".to_vec();
    text.extend(serde_json::to_vec(&run_record(&RunId("r2".into()), 1)).unwrap());
    text.push(b'\n');
    let read = read_from(&text[..], MAX_LINE).unwrap();
    assert_eq!(read.runs.len(), 1);
    assert_eq!(read.runs[0].run.0, "r2");
    assert_eq!(read.skipped, 1);
}

/// Takes `room` more bytes, then fails as a full disk does.
struct FillingDisk {
    written: Vec<u8>,
    room: usize,
}

impl Write for FillingDisk {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.room == 0 {
            return Err(std::io::Error::from(std::io::ErrorKind::StorageFull));
        }
        let n = buf.len().min(self.room);
        self.room -= n;
        self.written.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_write_cut_by_a_full_disk_leaves_no_half_line_for_the_next_record() {
    let line = |record: &Record| {
        let mut line = serde_json::to_vec(record).unwrap();
        line.push(b'\n');
        line
    };
    let (first, second) = (RunId("r1".into()), RunId("r2".into()));
    let mut tail = Tail {
        out: FillingDisk {
            written: Vec::new(),
            room: usize::MAX,
        },
        at_line_start: true,
    };
    tail.append(&line(&run_record(&first, 1))).unwrap();
    tail.out.room = 20;
    let failed = tail.append(&line(&intent(&first, 0))).unwrap_err();
    assert_eq!(failed.kind(), std::io::ErrorKind::StorageFull);
    assert!(!tail.at_line_start);
    // Space again (a file was deleted): the next record starts on a line of its own.
    tail.out.room = usize::MAX;
    tail.append(&line(&run_record(&second, 1))).unwrap();
    assert!(tail.at_line_start);

    let read = read_from(&tail.out.written[..], MAX_LINE).unwrap();
    let ids: Vec<&str> = read.runs.iter().map(|r| r.run.0.as_str()).collect();
    assert_eq!(ids, ["r1", "r2"]);
    assert_eq!(read.skipped, 1, "the half intent");
    assert_eq!(
        read.runs[0].started,
        vec![false],
        "the intent never counted"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn an_append_to_a_full_disk_is_an_error_that_names_the_journal() {
    let journal = Journal::open(Path::new("/dev/full")).unwrap();
    let error = journal
        .append(&run_record(&RunId("r1".into()), 1), true)
        .unwrap_err();
    let JournalError::Write { path, source } = &error else {
        panic!("a write error: {error:?}");
    };
    assert_eq!(path, Path::new("/dev/full"));
    assert_eq!(source.kind(), std::io::ErrorKind::StorageFull);
    assert!(error.to_string().contains("/dev/full"), "{error}");
}

#[cfg(unix)]
#[test]
fn the_journal_is_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("j/journal.jsonl");
    Journal::open(&path).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let dir_mode = std::fs::metadata(path.parent().unwrap())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(dir_mode, 0o700);
}

#[test]
fn run_ids_sort_by_time() {
    let early = RunId::fresh(OffsetDateTime::UNIX_EPOCH);
    let late = RunId::fresh(OffsetDateTime::UNIX_EPOCH + time::Duration::days(1));
    assert!(early < late);
    assert!(early.0.starts_with("19700101T000000-"));
}
