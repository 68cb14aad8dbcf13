//! The team side of Kawal, as pure logic: roles and permissions, secrets and passwords,
//! session rules and the audit chain. Storage is in `store`, enforcement in `service`.

pub mod audit;
pub mod roles;
pub mod secret;
pub mod session;

pub use roles::{Reach, Roles};
