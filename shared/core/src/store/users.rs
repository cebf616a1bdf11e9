//! The `users` table: accounts, their password hashes and profile settings, and the rules
//! for the email, name and time zone a user may have.

use std::fmt;

use crate::app::App;
use crate::error::{ApiError, ApiResult};
use crate::ports::{Row, Statement};
use crate::store::banks::insert_default_bank;
use crate::util::{format_time, new_id};

/// Plan of every new account.
pub const DEFAULT_PLAN: &str = "free";

/// Time zone of every new account, until the user sets their own.
pub const DEFAULT_TIMEZONE: &str = "UTC";

/// The longest accepted email address, in bytes. RFC 5321 (4.5.3.1.3) limits a path to 256
/// octets, and the angle brackets around the address take two of them.
const MAX_EMAIL_BYTES: usize = 254;

/// The longest accepted local part (before the `@`), in bytes (RFC 5321, 4.5.3.1.1).
const MAX_LOCAL_PART_BYTES: usize = 64;

/// The longest accepted display name, in characters.
pub const MAX_NAME_CHARS: usize = 200;

const INSERT_USER: &str = "
    INSERT INTO users
        (id, email, name, password_hash, plan, timezone, created_at, updated_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)";

const SELECT_USER: &str = "
    SELECT id, email, name, plan, timezone, phone_region, created_at
    FROM users
    WHERE id = ?1";

const SELECT_LOGIN: &str = "
    SELECT id, email, name, plan, timezone, phone_region, created_at, password_hash
    FROM users
    WHERE email = ?1";

const UPDATE_PROFILE: &str = "
    UPDATE users
    SET name = coalesce(?2, name), timezone = coalesce(?3, timezone),
        phone_region = coalesce(?5, phone_region), updated_at = ?4
    WHERE id = ?1";

const SELECT_PHONE_REGION: &str = "SELECT phone_region FROM users WHERE id = ?1";

/// An account as the API shows it. `Debug` leaves out the email, so that logging a user
/// never logs personal data.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    pub plan: String,
    pub timezone: String,
    /// The region that reads phone numbers written without a country code.
    pub phone_region: String,
    pub created_at: String,
}

impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// A user found by email, with the password hash to check a login against. It has no
/// `Debug`, so the hash cannot reach a log.
#[allow(missing_debug_implementations)]
pub struct LoginCandidate {
    pub user: User,
    pub password_hash: String,
}

/// A validated registration: a normalised email and name, and the password's PHC hash. It
/// has no `Debug`, so neither the email nor the hash can reach a log.
#[allow(missing_debug_implementations)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub password_hash: String,
}

fn decode_user(row: &Row) -> ApiResult<User> {
    Ok(User {
        id: row.text("id")?,
        email: row.text("email")?,
        name: row.text("name")?,
        plan: row.text("plan")?,
        timezone: row.text("timezone")?,
        phone_region: row.text("phone_region")?,
        created_at: row.text("created_at")?,
    })
}

/// Returns the form in which emails are stored and looked up: trimmed and lower-cased.
pub fn canonical_email(raw: &str) -> String {
    raw.trim().to_lowercase()
}

/// Canonicalises an email and rejects one that cannot be an address, naming the value.
pub fn parse_email(raw: &str) -> ApiResult<String> {
    let email = canonical_email(raw);
    if is_plausible_email(&email) {
        Ok(email)
    } else {
        Err(ApiError::bad_request(format!(
            "invalid email {raw:?}: expected an address such as name@example.com"
        )))
    }
}

/// Checks loosely that `email` has the shape of an address: one `@`, a local part without
/// spaces or the characters that need quoting, and a domain of at least two non-empty
/// labels. Whether the mailbox exists is not checked.
fn is_plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= MAX_LOCAL_PART_BYTES
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"\"(),:;<>@[\\]".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    email.len() <= MAX_EMAIL_BYTES && local_ok && domain_ok
}

/// Trims a display name and rejects one that is empty or longer than `MAX_NAME_CHARS`.
pub fn parse_name(raw: &str) -> ApiResult<String> {
    let name = raw.trim();
    let length = name.chars().count();
    if (1..=MAX_NAME_CHARS).contains(&length) {
        Ok(name.to_owned())
    } else {
        Err(ApiError::bad_request(format!(
            "invalid name: expected 1 to {MAX_NAME_CHARS} characters after trimming, got {length}"
        )))
    }
}

/// Checks that `raw` is an IANA time zone name, such as `Europe/Berlin`, and returns it.
pub fn parse_timezone(raw: &str) -> ApiResult<String> {
    match raw.parse::<chrono_tz::Tz>() {
        Ok(zone) => Ok(zone.name().to_owned()),
        Err(_) => Err(ApiError::bad_request(format!(
            "invalid timezone {raw:?}: expected an IANA time zone name such as Europe/Berlin"
        ))),
    }
}

/// Creates the user and their default memory bank in one atomic batch. A taken email is a
/// 409 conflict.
pub async fn create_user(app: &App, new: NewUser) -> ApiResult<User> {
    let user = User {
        id: new_id("usr")?,
        email: new.email,
        name: new.name,
        plan: DEFAULT_PLAN.to_owned(),
        timezone: DEFAULT_TIMEZONE.to_owned(),
        phone_region: crate::contacts::DEFAULT_PHONE_REGION.to_owned(),
        created_at: format_time(app.now()),
    };
    let params = vec![
        user.id.as_str().into(),
        user.email.as_str().into(),
        user.name.as_str().into(),
        new.password_hash.into(),
        user.plan.as_str().into(),
        user.timezone.as_str().into(),
        user.created_at.as_str().into(),
    ];
    let statements = [
        Statement::new(INSERT_USER, params),
        insert_default_bank(app, &user.id)?,
    ];
    match app.db.batch(&statements).await {
        Ok(_) => Ok(user),
        Err(error) if error.unique_violation => Err(ApiError::Conflict(format!(
            "an account with email {:?} already exists: log in instead",
            user.email
        ))),
        Err(error) => Err(error.into()),
    }
}

/// Returns the user with this id, or `None` when the account no longer exists.
pub async fn find_user(app: &App, user_id: &str) -> ApiResult<Option<User>> {
    let rows = app.db.query(SELECT_USER, &[user_id.into()]).await?;
    rows.first().map(decode_user).transpose()
}

/// Returns the user with this canonical email and their password hash, if there is one.
pub async fn find_login_candidate(app: &App, email: &str) -> ApiResult<Option<LoginCandidate>> {
    let rows = app.db.query(SELECT_LOGIN, &[email.into()]).await?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    Ok(Some(LoginCandidate {
        user: decode_user(row)?,
        password_hash: row.text("password_hash")?,
    }))
}

/// Sets the name and time zone that are given, leaving the others as they are, and returns
/// the updated user, or `None` when the account no longer exists.
pub async fn update_profile(
    app: &App,
    user_id: &str,
    name: Option<String>,
    timezone: Option<String>,
    phone_region: Option<String>,
) -> ApiResult<Option<User>> {
    let params = [
        user_id.into(),
        name.into(),
        timezone.into(),
        format_time(app.now()).into(),
        phone_region.into(),
    ];
    app.db.execute(UPDATE_PROFILE, &params).await?;
    find_user(app, user_id).await
}

/// Returns the user's phone region, or the default one for an unknown user.
pub async fn phone_region(app: &App, user_id: &str) -> ApiResult<String> {
    let rows = app.db.query(SELECT_PHONE_REGION, &[user_id.into()]).await?;
    match rows.first() {
        Some(row) => row.text("phone_region"),
        None => Ok(crate::contacts::DEFAULT_PHONE_REGION.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_email_trims_and_lowercases() {
        let email = parse_email("  Ada@Example.COM ");
        assert_eq!(email.ok().as_deref(), Some("ada@example.com"));
    }

    #[test]
    fn parse_email_accepts_plus_and_subdomain() {
        assert!(parse_email("ada+notes@mail.example.co.uk").is_ok());
    }

    #[test]
    fn parse_email_rejects_malformed_addresses() {
        let cases = [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada@@example.com",
            "ada lovelace@example.com",
            "ada@exa mple.com",
            "ada@.example.com",
            "ada@example..com",
            "ada@-example.com",
            ".ada@example.com",
            "ada..l@example.com",
        ];
        for case in cases {
            assert!(parse_email(case).is_err(), "accepted {case:?}");
        }
    }

    #[test]
    fn parse_email_names_the_value() {
        let message = parse_email("not-an-email")
            .err()
            .map(|error| error.public_message());
        assert!(
            message
                .as_deref()
                .unwrap_or_default()
                .contains("not-an-email"),
            "{message:?}"
        );
    }

    #[test]
    fn parse_name_rejects_blank() {
        let result = parse_name("   ");
        assert_eq!(result.err().map(|error| error.status()), Some(400));
    }

    #[test]
    fn parse_name_rejects_overlong() {
        assert!(parse_name(&"n".repeat(MAX_NAME_CHARS + 1)).is_err());
    }

    #[test]
    fn parse_timezone_accepts_iana_name() {
        let zone = parse_timezone("America/New_York");
        assert_eq!(zone.ok().as_deref(), Some("America/New_York"));
    }

    #[test]
    fn parse_timezone_rejects_abbreviation() {
        assert!(parse_timezone("PST").is_err());
    }

    #[test]
    fn user_debug_leaves_out_email() {
        let user = User {
            id: "usr_1".into(),
            email: "ada@example.com".into(),
            name: "Ada".into(),
            plan: DEFAULT_PLAN.into(),
            timezone: DEFAULT_TIMEZONE.into(),
            phone_region: "US".into(),
            created_at: "2024-01-01T00:00:00.000Z".into(),
        };
        assert!(!format!("{user:?}").contains("ada@example.com"));
    }
}
