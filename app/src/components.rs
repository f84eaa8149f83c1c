pub mod connection_card;
pub mod connection_form;
pub mod empty_state;
pub mod icon;
pub mod page_header;
pub mod shell;
pub mod spinner;
