//! The domain core: rules from the regulations, with no HTTP, SQL or file I/O.

pub mod access;
pub mod calendar;
pub mod catalog;
pub mod channels;
pub mod clinics;
pub mod commission;
pub mod datafile;
pub mod documents;
pub mod forms;
pub mod identity;
pub mod ids;
pub mod kinship;
pub mod lifecycle;
pub mod money;
pub mod outbox;
pub mod roles;
pub mod slots;
pub mod throttle;
pub mod yearly;
