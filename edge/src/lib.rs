//! Provixchat's edge: a Cloudflare Worker (workers-rs) that routes requests to Durable Objects —
//! one per conversation, per workspace and per agent account — and serves the static assets.
//!
//! Object logic lives in pure modules (`conversation::logic`, `auth`, `error`) that
//! `cargo test -p edge` checks natively; the `worker` glue is compiled for wasm32 only.
//! Build with `worker-build --release` (see `scripts/`), run with `wrangler dev`.

pub mod account;
pub mod auth;
pub mod calls;
pub mod capture;
pub mod chat_settings;
pub mod consent_defaults;
pub mod consent_export;
pub mod conversation;
pub mod device;
pub mod error;
pub mod lockout;
pub mod notice;
pub mod pages;
pub mod rate_limit;
pub mod settings;
pub mod team;
pub mod visitor;
pub mod workspace;

#[cfg(target_arch = "wasm32")]
mod account_routes;
#[cfg(target_arch = "wasm32")]
mod audit_routes;
#[cfg(target_arch = "wasm32")]
mod consent_routes;
#[cfg(target_arch = "wasm32")]
mod glue;
#[cfg(target_arch = "wasm32")]
mod notice_routes;
#[cfg(target_arch = "wasm32")]
mod privacy_routes;
#[cfg(target_arch = "wasm32")]
mod router;
#[cfg(target_arch = "wasm32")]
mod visitor_routes;
#[cfg(target_arch = "wasm32")]
mod workspace_routes;
