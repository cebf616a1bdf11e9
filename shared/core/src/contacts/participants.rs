//! The people a memory names, gathered from the request's `participants`, from the usual
//! metadata fields (`sender`, `from`, `recipients`, `to`, `cc`, `bcc`, `participants`) and from
//! addresses and numbers in its text, each turned into the identifiers that resolve it.

use serde::Deserialize;
use serde_json::Value;

use super::normalize::{
    clean_name, email_match_key, name_key, normalize_email, normalize_handle, normalize_phone,
    IdentifierKind,
};
use crate::entities::extract::{Entity, EntityKind};
use crate::error::{ApiError, ApiResult};

/// Maximum participants one memory may name in its request.
pub const MAX_PARTICIPANTS: usize = 100;
/// Maximum length of a participant's name, in visible characters.
const MAX_NAME_CHARS: usize = 200;
/// Maximum length of a connector handle, in characters.
const MAX_HANDLE_CHARS: usize = 200;
/// Maximum addresses and numbers in one memory's text that become mentioned contacts, so that
/// a long document does not turn into thousands of contacts.
pub const MAX_TEXT_MENTIONS: usize = 20;

/// The part a contact takes in a memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Sender,
    Recipient,
    Participant,
    Mentioned,
}

impl Role {
    pub const NAMES: &'static str = "sender, recipient, participant, mentioned";

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Sender => "sender",
            Role::Recipient => "recipient",
            Role::Participant => "participant",
            Role::Mentioned => "mentioned",
        }
    }

    pub fn parse(value: &str) -> Option<Role> {
        match value {
            "sender" => Some(Role::Sender),
            "recipient" => Some(Role::Recipient),
            "participant" => Some(Role::Participant),
            "mentioned" => Some(Role::Mentioned),
            _ => None,
        }
    }
}

/// A participant as `POST /api/memories` accepts it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ParticipantBody {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub handle: Option<String>,
    pub role: String,
}

/// One identifier in canonical form, with what it was read from and the key it matches by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identifier {
    pub kind: IdentifierKind,
    pub value: String,
    pub raw: String,
    /// The phone region a national number was read in, or the source scope of a name.
    pub context: Option<String>,
    pub match_key: String,
    pub connector_type: Option<String>,
}

impl Identifier {
    pub fn email(raw: &str) -> ApiResult<Identifier> {
        let value = normalize_email(raw)?;
        Ok(Identifier {
            kind: IdentifierKind::Email,
            match_key: email_match_key(&value),
            value,
            raw: raw.trim().to_owned(),
            context: None,
            connector_type: None,
        })
    }

    pub fn phone(raw: &str, region: &str) -> ApiResult<Identifier> {
        let value = normalize_phone(raw, region)?;
        Ok(Identifier {
            kind: IdentifierKind::Phone,
            match_key: value.clone(),
            value,
            raw: raw.trim().to_owned(),
            context: Some(region.to_owned()),
            connector_type: None,
        })
    }

    pub fn handle(raw: &str, connector_type: &str) -> ApiResult<Identifier> {
        let value = normalize_handle(raw, connector_type)?;
        Ok(Identifier {
            kind: IdentifierKind::Handle,
            match_key: format!("{connector_type}:{value}"),
            value,
            raw: raw.trim().to_owned(),
            context: None,
            connector_type: Some(connector_type.to_owned()),
        })
    }

    /// Makes the identifier of a name seen in source scope `scope`, or `None` when nothing
    /// visible is left of it.
    pub fn name(raw: &str, scope: &str, connector_type: &str) -> Option<Identifier> {
        let value = clean_name(raw)?;
        Some(Identifier {
            kind: IdentifierKind::Name,
            match_key: format!("{scope}:{}", name_key(&value)),
            value,
            raw: raw.trim().to_owned(),
            context: Some(scope.to_owned()),
            connector_type: Some(connector_type.to_owned()),
        })
    }

    /// Reads the identifier again from its raw value under today's rules.
    pub fn renormalize(&self) -> Option<Identifier> {
        let connector = self.connector_type.as_deref().unwrap_or("manual");
        match self.kind {
            IdentifierKind::Email => Identifier::email(&self.raw).ok(),
            IdentifierKind::Phone => {
                let region = self
                    .context
                    .as_deref()
                    .unwrap_or(super::DEFAULT_PHONE_REGION);
                Identifier::phone(&self.raw, region).ok()
            }
            IdentifierKind::Handle => Identifier::handle(&self.raw, connector).ok(),
            IdentifierKind::Name => {
                Identifier::name(&self.raw, self.context.as_deref()?, connector)
            }
        }
    }

    pub fn is_strong(&self) -> bool {
        self.kind != IdentifierKind::Name
    }
}

/// A person named by a memory, ready to resolve: the name shown for a new contact, the
/// identifiers that find an existing one (strong ones first) and the role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Participant {
    pub name: Option<String>,
    pub identifiers: Vec<Identifier>,
    pub role: Role,
}

/// Where a memory came from, which decides what a bare name may match.
#[derive(Debug, Clone)]
pub struct SourceScope {
    pub connector_type: String,
    /// `conversation:<id>` when the metadata names a conversation, else `account:<id>`, else
    /// `connector:<type>`: all that a user typed in by hand is one source.
    pub scope: String,
    pub phone_region: String,
}

impl SourceScope {
    pub fn new(
        connector_type: &str,
        account_id: Option<&str>,
        metadata: &Value,
        phone_region: &str,
    ) -> SourceScope {
        let conversation = metadata.get("conversationId").and_then(|v| match v {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            // As in the graph, the number 7 and the string "7" are different conversations.
            Value::Number(n) if n.is_i64() || n.is_u64() => Some(format!("#{n}")),
            _ => None,
        });
        let scope = match (conversation, account_id) {
            (Some(id), _) => format!("conversation:{id}"),
            (None, Some(account)) => format!("account:{account}"),
            (None, None) => format!("connector:{connector_type}"),
        };
        SourceScope {
            connector_type: connector_type.to_owned(),
            scope,
            phone_region: phone_region.to_owned(),
        }
    }
}

/// Validates the request's participants; a bad value is a 400 naming it and its position.
pub fn from_request(
    bodies: &[ParticipantBody],
    source: &SourceScope,
) -> ApiResult<Vec<Participant>> {
    if bodies.len() > MAX_PARTICIPANTS {
        return Err(ApiError::bad_request(format!(
            "invalid participants: at most {MAX_PARTICIPANTS} allowed, got {}",
            bodies.len()
        )));
    }
    bodies
        .iter()
        .enumerate()
        .map(|(index, body)| {
            let at = |error: ApiError| match error {
                ApiError::BadRequest(message) => {
                    ApiError::BadRequest(format!("participants[{index}]: {message}"))
                }
                other => other,
            };
            let role = Role::parse(&body.role).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "participants[{index}]: invalid role {:?}: expected one of {}",
                    body.role,
                    Role::NAMES
                ))
            })?;
            let participant = build(
                body.name.as_deref(),
                body.email.as_deref(),
                body.phone.as_deref(),
                body.handle.as_deref(),
                role,
                source,
            )
            .map_err(at)?;
            participant.ok_or_else(|| {
                ApiError::bad_request(format!(
                    "participants[{index}]: expected at least one of name, email, phone, handle"
                ))
            })
        })
        .collect()
}

fn build(
    name: Option<&str>,
    email: Option<&str>,
    phone: Option<&str>,
    handle: Option<&str>,
    role: Role,
    source: &SourceScope,
) -> ApiResult<Option<Participant>> {
    let mut identifiers = Vec::new();
    if let Some(email) = email {
        identifiers.push(Identifier::email(email)?);
    }
    if let Some(phone) = phone {
        identifiers.push(Identifier::phone(phone, &source.phone_region)?);
    }
    if let Some(handle) = handle {
        check_handle(handle)?;
        identifiers.push(Identifier::handle(handle, &source.connector_type)?);
    }
    let name = name.and_then(clean_name);
    if let Some(name) = &name {
        let length = name.chars().count();
        if length > MAX_NAME_CHARS {
            return Err(ApiError::bad_request(format!(
                "invalid name: longer than {MAX_NAME_CHARS} visible characters ({length})"
            )));
        }
        identifiers.extend(Identifier::name(
            name,
            &source.scope,
            &source.connector_type,
        ));
    }
    Ok((!identifiers.is_empty()).then_some(Participant {
        name,
        identifiers,
        role,
    }))
}

/// Rejects a handle that is too long or contains control characters, naming it.
fn check_handle(handle: &str) -> ApiResult<()> {
    let length = handle.chars().count();
    if length > MAX_HANDLE_CHARS {
        return Err(ApiError::bad_request(format!(
            "invalid handle: longer than {MAX_HANDLE_CHARS} characters ({length})"
        )));
    }
    if handle.chars().any(char::is_control) {
        return Err(ApiError::bad_request(format!(
            "invalid handle {handle:?}: it contains control characters"
        )));
    }
    Ok(())
}

/// The metadata fields that name people, with the role each gives.
pub const METADATA_FIELDS: &[(&str, Role)] = &[
    ("sender", Role::Sender),
    ("from", Role::Sender),
    ("recipients", Role::Recipient),
    ("to", Role::Recipient),
    ("cc", Role::Recipient),
    ("bcc", Role::Recipient),
    ("participants", Role::Participant),
];

/// Reads the people named in metadata. Metadata comes from sources as they are, so a value
/// that is no valid address or number is skipped rather than rejected.
pub fn from_metadata(metadata: &Value, source: &SourceScope) -> Vec<Participant> {
    let mut found = Vec::new();
    for (field, role) in METADATA_FIELDS {
        match metadata.get(field) {
            Some(Value::Array(items)) => {
                for item in items.iter().take(MAX_PARTICIPANTS) {
                    found.extend(from_metadata_value(item, *role, source));
                }
            }
            Some(value) => found.extend(from_metadata_value(value, *role, source)),
            None => {}
        }
    }
    found.truncate(MAX_PARTICIPANTS);
    found
}

fn from_metadata_value(value: &Value, role: Role, source: &SourceScope) -> Vec<Participant> {
    match value {
        Value::String(text) => from_address_list(text, role, source),
        Value::Object(fields) => {
            let text = |key: &str| fields.get(key).and_then(Value::as_str);
            let name = text("name").or(text("displayName"));
            let email = text("email").or(text("address"));
            build(name, email, text("phone"), text("handle"), role, source)
                .ok()
                .flatten()
                // A bad address or number must not drop the name with it.
                .or_else(|| build(name, None, None, None, role, source).ok().flatten())
                .into_iter()
                .collect()
        }
        _ => Vec::new(),
    }
}

/// Reads one address, or a list of them separated by `;`, or by `,` when the list contains more
/// than one `@`, as in `Dana <d@x.com>, Bob <b@x.com>`.
fn from_address_list(text: &str, role: Role, source: &SourceScope) -> Vec<Participant> {
    let is_list = text.contains(';') || (text.contains(',') && text.matches('@').count() > 1);
    if !is_list {
        return from_address(text, role, source).into_iter().collect();
    }
    text.split([',', ';'])
        .filter(|part| !part.trim().is_empty())
        .take(MAX_PARTICIPANTS)
        .filter_map(|part| from_address(part, role, source))
        .collect()
}

/// Reads `Dana Smith <dana@example.com>`, `dana@example.com (Dana Smith)`, a bare address or
/// number, or a bare name.
fn from_address(text: &str, role: Role, source: &SourceScope) -> Option<Participant> {
    let text = text.trim();
    let unquote = |name: &str| name.trim().trim_matches(['"', '\'']).trim().to_owned();
    let with_name = |name: String, address: &str| {
        let name = (!name.is_empty()).then_some(name.as_str());
        build(name, Some(address.trim()), None, None, role, source)
            .ok()
            .flatten()
    };
    if let Some((name, rest)) = text.split_once('<') {
        let address = rest.trim_end().strip_suffix('>')?;
        return with_name(unquote(name), address);
    }
    if let Some((address, rest)) = text.split_once('(') {
        if address.contains('@') {
            let name = rest.trim_end().strip_suffix(')')?;
            return with_name(unquote(name), address);
        }
    }
    if text.contains('@') && !text.contains(' ') {
        return build(None, Some(text), None, None, role, source)
            .ok()
            .flatten();
    }
    let looks_like_number = text.starts_with('+') || text.chars().all(|c| !c.is_alphabetic());
    if looks_like_number {
        return build(None, None, Some(text), None, role, source)
            .ok()
            .flatten();
    }
    build(Some(text), None, None, None, role, source)
        .ok()
        .flatten()
}

/// Turns the addresses and numbers found in a memory's text into mentioned people.
pub fn from_entities(entities: &[Entity], source: &SourceScope) -> Vec<Participant> {
    entities
        .iter()
        .filter_map(|entity| {
            let (email, phone) = match entity.kind {
                EntityKind::Email => (Some(entity.value.as_str()), None),
                EntityKind::Phone => (None, Some(entity.value.as_str())),
                _ => return None,
            };
            build(None, email, phone, None, Role::Mentioned, source)
                .ok()
                .flatten()
        })
        .take(MAX_TEXT_MENTIONS)
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn scope() -> SourceScope {
        SourceScope::new("gmail", None, &json!({}), "US")
    }

    #[test]
    fn conversation_id_in_metadata_is_the_scope() {
        let with_conversation =
            SourceScope::new("manual", None, &json!({"conversationId": "c1"}), "US");
        assert_eq!(with_conversation.scope, "conversation:c1");
        let with_account = SourceScope::new("gmail", Some("acc1"), &json!({}), "US");
        assert_eq!(with_account.scope, "account:acc1");
        assert_eq!(scope().scope, "connector:gmail");
        let numbered = SourceScope::new("manual", None, &json!({"conversationId": 7}), "US");
        assert_eq!(numbered.scope, "conversation:#7");
        let fractional = SourceScope::new("manual", None, &json!({"conversationId": 7.5}), "US");
        assert_eq!(fractional.scope, "connector:manual");
    }

    #[test]
    fn address_with_display_name_gives_name_and_email() {
        let found = from_metadata(
            &json!({"from": "\"Dana Smith\" <Dana@Example.com>"}),
            &scope(),
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name.as_deref(), Some("Dana Smith"));
        assert_eq!(found[0].role, Role::Sender);
        assert_eq!(found[0].identifiers[0].value, "dana@example.com");
        assert_eq!(found[0].identifiers[1].kind, IdentifierKind::Name);
    }

    #[test]
    fn metadata_reads_lists_objects_and_numbers() {
        let metadata = json!({
            "to": ["a@example.com", {"name": "Bo", "email": "bo@example.com"}],
            "participants": ["+44 20 7946 0018", "Cy"],
        });
        let found = from_metadata(&metadata, &scope());
        let roles: Vec<_> = found.iter().map(|p| p.role).collect();
        assert_eq!(
            roles,
            [
                Role::Recipient,
                Role::Recipient,
                Role::Participant,
                Role::Participant
            ]
        );
        assert_eq!(found[2].identifiers[0].value, "+442079460018");
        assert_eq!(found[3].name.as_deref(), Some("Cy"));
    }

    #[test]
    fn metadata_address_lists_and_comment_names_are_read() {
        let metadata = json!({
            "to": "Dana Smith <d@x.com>, 'Bob Jones' <b@x.com>",
            "cc": "c@x.com; e@x.com (Eve Moss)",
        });
        let found = from_metadata(&metadata, &scope());
        let names: Vec<Option<&str>> = found.iter().map(|p| p.name.as_deref()).collect();
        assert_eq!(
            names,
            [
                Some("Dana Smith"),
                Some("Bob Jones"),
                None,
                Some("Eve Moss")
            ]
        );
        let emails: Vec<&str> = found
            .iter()
            .map(|p| p.identifiers[0].value.as_str())
            .collect();
        assert_eq!(emails, ["d@x.com", "b@x.com", "c@x.com", "e@x.com"]);
    }

    #[test]
    fn limits_apply_to_names_and_handles() {
        let long = "n".repeat(201);
        assert!(from_metadata(&json!({"from": long}), &scope()).is_empty());
        let invisible_padding = format!("{}{}", "n".repeat(199), "\u{200b}".repeat(5));
        let body = ParticipantBody {
            name: Some(invisible_padding),
            email: None,
            phone: None,
            handle: None,
            role: "sender".into(),
        };
        assert!(from_request(std::slice::from_ref(&body), &scope()).is_ok());
        let with_handle = ParticipantBody {
            handle: Some("a\u{0}b".into()),
            ..body
        };
        let error = from_request(&[with_handle], &scope()).unwrap_err();
        assert!(
            error.public_message().contains("control characters"),
            "{error:?}"
        );
    }

    #[test]
    fn metadata_bad_address_keeps_name() {
        let found = from_metadata(
            &json!({"from": {"name": "Al", "email": "not an address"}}),
            &scope(),
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].identifiers.len(), 1);
        assert_eq!(found[0].identifiers[0].kind, IdentifierKind::Name);
        assert!(from_metadata(&json!({"from": 42}), &scope()).is_empty());
    }

    #[test]
    fn request_participant_errors_name_position_and_value() {
        let body = |role: &str, email: Option<&str>| ParticipantBody {
            name: None,
            email: email.map(str::to_owned),
            phone: None,
            handle: None,
            role: role.to_owned(),
        };
        let error = from_request(&[body("boss", Some("a@b.co"))], &scope()).unwrap_err();
        assert!(error
            .public_message()
            .contains("participants[0]: invalid role \"boss\""));
        let error = from_request(
            &[body("sender", Some("a@b.co")), body("sender", Some("x@"))],
            &scope(),
        )
        .unwrap_err();
        assert!(
            error
                .public_message()
                .starts_with("participants[1]: invalid email"),
            "{error:?}"
        );
        let error = from_request(&[body("sender", None)], &scope()).unwrap_err();
        assert!(error.public_message().contains("at least one of"));
    }

    #[test]
    fn names_match_only_inside_their_scope() {
        let a = Identifier::name("John", "conversation:conv-41", "manual").unwrap();
        let b = Identifier::name("john ", "conversation:conv-41", "manual").unwrap();
        let c = Identifier::name("John", "conversation:conv-43", "manual").unwrap();
        assert_eq!(a.match_key, b.match_key);
        assert_ne!(a.match_key, c.match_key);
    }

    #[test]
    fn renormalizing_reads_the_raw_value_again() {
        let phone = Identifier::phone("020 7946 0018", "GB").unwrap();
        assert_eq!(phone.value, "+442079460018");
        let mut stale = phone.clone();
        stale.value = "020 7946 0018".into();
        stale.match_key = "020 7946 0018".into();
        assert_eq!(stale.renormalize(), Some(phone));
    }
}
