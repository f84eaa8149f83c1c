pub mod connected_apps;
pub mod contacts;
pub mod not_found;
pub mod settings;
pub mod sign_in;
pub mod syncs;
pub mod users;
