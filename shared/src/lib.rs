#![doc = include_str!("../README.md")]

/// Komo contacts: parsing, custom properties, the field catalog, paging.
pub mod contact;
/// Email addresses: parsed once, stored lower-cased.
pub mod email;
/// Numbers as the UI shows them.
pub mod numbers;
/// Workspaces, people and their roles.
pub mod people;
/// Syncs: filters (and, later, matching and field mapping).
pub mod sync;
/// Dates, times and durations as the UI shows them.
pub mod when;

pub use email::{EmailAddress, EmailError};
pub use people::{
    initials_of, Me, NewPassword, NewUser, NewUserError, Role, UserView, WorkspaceName,
    WorkspaceView, MIN_PASSWORD_LEN,
};
