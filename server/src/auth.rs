//! Passwords, sign-in throttling and what the session holds.

/// At most a few password hashes at a time.
pub mod gate;
pub mod password;
pub mod throttle;

/// What a session stores: the user id and [`SESSION_EPOCH`]. Role, workspace and whether the user may
/// still sign in are read fresh on every request, so a role change or a disabled account takes effect at
/// once.
pub const SESSION_USER_ID: &str = "user_id";

/// The user's session epoch when the session started (`users.session_epoch`); a session from an older
/// epoch is signed out. Sessions from before epochs existed carry none and count as epoch 0.
pub const SESSION_EPOCH: &str = "session_epoch";
