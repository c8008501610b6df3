//! User invitations: the invitation resource and its answers.

use super::*;

/// A user invitation (`type: "user_invitations"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Invitation {
    #[serde(rename = "type", default = "invitations_type")]
    pub kind: String,
    pub id: InvitationId,
    #[serde(default)]
    pub attributes: InvitationAttributes,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationships: Option<InvitationRelationships>,
}

fn invitations_type() -> String {
    "user_invitations".to_owned()
}

impl Invitation {
    /// The invited user's id.
    pub fn user_id(&self) -> Option<UserId> {
        let data = self.relationships.as_ref()?.user.data.as_ref()?;
        Some(UserId(data.id.clone()))
    }
}

/// An invitation's attributes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InvitationAttributes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite_type: Option<String>,
    #[serde(
        default,
        with = "timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<OffsetDateTime>,
    #[serde(
        default,
        with = "timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub expires_at: Option<OffsetDateTime>,
    #[serde(default)]
    pub login_method: Option<String>,
}

/// An invitation's relationships.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InvitationRelationships {
    pub user: ToOne,
}

/// SendInvitations.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InvitationsResponse {
    #[serde(default, deserialize_with = "null_as_default")]
    pub data: Vec<Invitation>,
}

/// GetInvitation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvitationResponse {
    pub data: Invitation,
}
