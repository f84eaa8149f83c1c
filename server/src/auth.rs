//! Passwords, sign-in throttling and what the session holds.

pub mod password;
pub mod throttle;

/// The only thing a session stores: the user id. Role and workspace are read fresh on every request, so a
/// role change takes effect at once.
pub const SESSION_USER_ID: &str = "user_id";
