use crate::email::{EmailAddress, EmailError};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What a person may do in their workspace. Everything under CRM is for super users only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    SuperUser,
    Admin,
    Member,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::SuperUser, Role::Admin, Role::Member];

    /// The stable name stored in the database and sent in forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::SuperUser => "super_user",
            Role::Admin => "admin",
            Role::Member => "member",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::SuperUser => "Super user",
            Role::Admin => "Admin",
            Role::Member => "Member",
        }
    }

    /// Parses the stored / submitted name.
    ///
    /// # Errors
    /// Names the unknown role.
    pub fn parse(raw: &str) -> Result<Self, NewUserError> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == raw)
            .ok_or_else(|| NewUserError::Role(raw.to_owned()))
    }

    pub fn is_super_user(self) -> bool {
        self == Role::SuperUser
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A workspace's display name; its initials are derived, never stored separately.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceName(String);

impl WorkspaceName {
    pub const MAX_LEN: usize = 80;

    /// # Errors
    /// A blank name or one longer than [`Self::MAX_LEN`] characters.
    pub fn parse(raw: &str) -> Result<Self, NewUserError> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(NewUserError::WorkspaceName("it is empty".into()));
        }
        if name.chars().count() > Self::MAX_LEN {
            return Err(NewUserError::WorkspaceName(format!(
                "it is longer than {} characters",
                Self::MAX_LEN
            )));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Up to two letters, as Komo shows them in the top-right corner: "Acme Events" → "AE", "komo" → "KO".
    pub fn initials(&self) -> String {
        initials_of(&self.0)
    }
}

/// Initials of any display name; see [`WorkspaceName::initials`].
pub fn initials_of(name: &str) -> String {
    let words: Vec<&str> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let letters: String = match words.as_slice() {
        [] => "?".to_owned(),
        [one] => one.chars().take(2).collect(),
        [first, .., last] => first.chars().take(1).chain(last.chars().take(1)).collect(),
    };
    letters.to_uppercase()
}

/// The smallest password we accept. Long beats complex (NIST SP 800-63B), so only length is checked.
pub const MIN_PASSWORD_LEN: usize = 12;

/// A user a super user wants to add, parsed from the admin form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub email: EmailAddress,
    pub name: String,
    pub role: Role,
    pub password: NewPassword,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NewUserError {
    #[error("Email: {0}")]
    Email(#[from] EmailError),
    #[error("Name: it is empty")]
    Name,
    #[error("Role: \"{0}\" is not a role (super_user, admin or member)")]
    Role(String),
    #[error("Password: it must be at least {MIN_PASSWORD_LEN} characters")]
    Password,
    #[error("Workspace name: {0}")]
    WorkspaceName(String),
}

impl NewUserError {
    /// The form field the problem belongs to, so the UI can show it beside that field.
    pub fn field(&self) -> &'static str {
        match self {
            NewUserError::Email(_) => "email",
            NewUserError::Name => "name",
            NewUserError::Role(_) => "role",
            NewUserError::Password => "password",
            NewUserError::WorkspaceName(_) => "workspace_name",
        }
    }
}

impl NewUser {
    /// # Errors
    /// The first field that is wrong, named.
    pub fn parse(
        email: &str,
        name: &str,
        role: &str,
        password: &str,
    ) -> Result<Self, NewUserError> {
        let email = EmailAddress::parse(email)?;
        let name = name.trim();
        if name.is_empty() {
            return Err(NewUserError::Name);
        }
        let role = Role::parse(role)?;
        let password = NewPassword::parse(password)?;
        Ok(Self {
            email,
            name: name.to_owned(),
            role,
            password,
        })
    }
}

/// A password someone chose for themselves (or a super user chose for them): long enough, and never the
/// one it replaces.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl NewPassword {
    /// # Errors
    /// [`NewUserError::Password`] when it is shorter than [`MIN_PASSWORD_LEN`] characters.
    pub fn parse(raw: &str) -> Result<Self, NewUserError> {
        if raw.chars().count() < MIN_PASSWORD_LEN {
            return Err(NewUserError::Password);
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Never prints the password itself.
impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

/// A workspace as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceView {
    pub id: i64,
    pub name: String,
    pub initials: String,
}

/// A person in a workspace, as the admin page lists them. Never carries a password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// A disabled user cannot sign in and their sessions have ended; a super user can enable them again.
    pub disabled: bool,
    /// A super user chose this person's password: they must choose their own before anything else.
    pub must_change_password: bool,
}

/// The signed-in person and their workspace: what the app shell needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub user: UserView,
    pub workspace: WorkspaceView,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn initials_take_first_and_last_word() {
        assert_eq!(initials_of("Acme Events"), "AE");
        assert_eq!(initials_of("Big Fun Quiz Co"), "BC");
        assert_eq!(initials_of("komo"), "KO");
        assert_eq!(initials_of("  "), "?");
    }

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
        assert_eq!(
            Role::parse("owner"),
            Err(NewUserError::Role("owner".into()))
        );
    }

    #[test]
    fn new_user_names_the_bad_field() {
        let ok = NewUser::parse("a@example.com", "Ada", "member", "correct horse battery");
        assert!(ok.is_ok());
        let cases = [
            (
                NewUser::parse("nope", "Ada", "member", "correct horse battery"),
                "email",
            ),
            (
                NewUser::parse("a@example.com", " ", "member", "correct horse battery"),
                "name",
            ),
            (
                NewUser::parse("a@example.com", "Ada", "boss", "correct horse battery"),
                "role",
            ),
            (
                NewUser::parse("a@example.com", "Ada", "member", "short"),
                "password",
            ),
        ];
        for (result, field) in cases {
            assert_eq!(result.expect_err(field).field(), field);
        }
    }

    proptest! {
        #[test]
        fn initials_are_at_most_two_upper_case_characters(name in ".{0,40}") {
            let initials = initials_of(&name);
            prop_assert!(initials.chars().count() <= 6, "{initials}");
            prop_assert!(!initials.is_empty());
        }
    }
}
