//! The team side of Kawal, as pure logic: roles and permissions, secrets and passwords,
//! session rules, the audit chain, and the relying party of an OpenID Connect provider. Storage is in `store`, enforcement in `service`.

pub mod audit;
pub mod oidc;
pub mod roles;
pub mod secret;
pub mod session;

pub use roles::{Reach, Roles};
