//! Provixchat's edge: a Cloudflare Worker (workers-rs) whose stateless router (`router`, the
//! `*_routes` files) checks origins, tokens and sessions and hands each request to the Durable
//! Object it concerns — one per conversation, workspace, visitor, agent account and rate-limited
//! client — and serves the static assets.
//!
//! Every object is built the same way: `<object>.rs` declares its typed requests (`calls`),
//! `<object>/logic.rs` decides over a storage trait and returns effects, `<object>/store.rs` holds
//! its SQL, and `<object>/object.rs` is the thin `worker` glue. `cargo test -p edge` runs the logic
//! natively with in-memory stores; the glue and the routes are compiled for wasm32 only and run
//! under the end-to-end tests. Build with `worker-build --release` (`build_all` in
//! `scripts/lib.sh`), run with `wrangler dev` (`scripts/run`).

pub mod account;
pub mod auth;
pub mod banner;
pub mod billing;
pub mod calls;
pub mod capture;
pub mod chat_settings;
pub mod config_cache;
pub mod consent_defaults;
pub mod consent_export;
pub mod conversation;
pub mod device;
pub mod error;
pub mod feed;
pub mod files;
pub mod integrations;
pub mod ledger;
pub mod limits;
pub mod lockout;
pub mod mail;
pub mod notice;
pub mod pages;
pub mod postbox;
pub mod rate_limit;
pub mod refusals;
pub mod rest;
pub mod settings;
pub mod team;
pub mod visitor;
pub mod webhooks;
pub mod workspace;

#[cfg(target_arch = "wasm32")]
mod account_routes;
#[cfg(target_arch = "wasm32")]
mod api_routes;
#[cfg(target_arch = "wasm32")]
mod audit_routes;
#[cfg(target_arch = "wasm32")]
mod billing_routes;
#[cfg(target_arch = "wasm32")]
mod consent_routes;
#[cfg(target_arch = "wasm32")]
mod file_routes;
#[cfg(target_arch = "wasm32")]
mod glue;
#[cfg(target_arch = "wasm32")]
mod mail_routes;
#[cfg(target_arch = "wasm32")]
mod notice_routes;
#[cfg(target_arch = "wasm32")]
mod privacy_routes;
#[cfg(target_arch = "wasm32")]
mod router;
#[cfg(target_arch = "wasm32")]
mod visitor_routes;
#[cfg(target_arch = "wasm32")]
mod webhook_routes;
#[cfg(target_arch = "wasm32")]
mod workspace_routes;
