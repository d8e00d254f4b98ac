//! The REST API's routes and the types their bodies have, apart from the `worker` glue
//! (`api_routes.rs`) so they are tested natively: [`Route::find`] is the one place a request is
//! matched to a route, and the OpenAPI document (`www/openapi.json`, served at
//! `/api/v1/openapi.json`) is generated from [`Route::ALL`] and these types by this module's test,
//! which fails when the committed document is not the generated one. Every route is documented
//! (the test's `match` has no wildcard); the end-to-end test calls every documented route.

use crate::workspace::logic::tokens::{ApiToken, Scope};
use serde::{Deserialize, Serialize};
use shared::{ClientMsgId, Email};

/// The answer to creating a token: the token itself, shown this once.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct NewToken {
    pub token: String,
    #[serde(flatten)]
    pub details: ApiToken,
}

/// `PATCH /api/v1/contacts/VISITOR_ID`: a corrected name and/or email.
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactCorrection {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// `POST /api/v1/conversations/ID/messages`: from a member (`agent`) or a bot (`bot`).
#[derive(Debug, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SendMessage {
    /// Chosen by the caller, unique per message: a retry with the same id is the same message.
    pub client_id: ClientMsgId,
    pub body: String,
    /// Send as this member of the team…
    #[serde(default)]
    pub agent: Option<Email>,
    /// …or as a bot with this name (one of the two).
    #[serde(default)]
    pub bot: Option<String>,
}

/// The REST API's routes (under `/api/v1/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    OpenApi,
    ListConversations,
    ReadConversation,
    UpdateConversation,
    ListMessages,
    SendMessage,
    FindContacts,
    ReadContact,
    CorrectContact,
    EraseContact,
    ConsentRecords,
}

impl Route {
    pub const ALL: [Route; 11] = [
        Route::OpenApi,
        Route::ListConversations,
        Route::ReadConversation,
        Route::UpdateConversation,
        Route::ListMessages,
        Route::SendMessage,
        Route::FindContacts,
        Route::ReadContact,
        Route::CorrectContact,
        Route::EraseContact,
        Route::ConsentRecords,
    ];

    /// The route of `method` (`GET`, …) on `path` (the segments after `/api/v1/`) and the id in
    /// it, if any.
    pub fn find<'a>(method: &str, path: &[&'a str]) -> Option<(Route, Option<&'a str>)> {
        Some(match (method, path) {
            ("GET", ["openapi.json"]) => (Route::OpenApi, None),
            ("GET", ["conversations"]) => (Route::ListConversations, None),
            ("GET", ["conversations", id]) => (Route::ReadConversation, Some(*id)),
            ("PATCH", ["conversations", id]) => (Route::UpdateConversation, Some(*id)),
            ("GET", ["conversations", id, "messages"]) => (Route::ListMessages, Some(*id)),
            ("POST", ["conversations", id, "messages"]) => (Route::SendMessage, Some(*id)),
            ("GET", ["contacts"]) => (Route::FindContacts, None),
            ("GET", ["contacts", id]) => (Route::ReadContact, Some(*id)),
            ("PATCH", ["contacts", id]) => (Route::CorrectContact, Some(*id)),
            ("DELETE", ["contacts", id]) => (Route::EraseContact, Some(*id)),
            ("GET", ["consent-records"]) => (Route::ConsentRecords, None),
            _ => return None,
        })
    }

    /// The scope a token needs (`None`: no token, the document itself).
    pub fn scope(self) -> Option<Scope> {
        match self {
            Route::OpenApi => None,
            Route::ListConversations | Route::ReadConversation | Route::ListMessages => Some(Scope::ConversationsRead),
            Route::UpdateConversation | Route::SendMessage => Some(Scope::MessagesWrite),
            Route::FindContacts | Route::ReadContact => Some(Scope::ContactsRead),
            Route::CorrectContact | Route::EraseContact => Some(Scope::ContactsWrite),
            Route::ConsentRecords => Some(Scope::ConsentRead),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::logic::api::ConversationChange;
    use crate::error::Problem;
    use crate::workspace::logic::listing::ConversationPage;
    use schemars::{JsonSchema, SchemaGenerator};
    use serde_json::{json, Value};

    /// A route as the document describes it.
    struct Doc {
        method: &'static str,
        path: &'static str,
        summary: &'static str,
        /// Query parameters: name, type, description.
        query: &'static [(&'static str, &'static str, &'static str)],
        body: Option<Value>,
        status: &'static str,
        answer: Value,
    }

    fn schema<T: JsonSchema>(g: &mut SchemaGenerator) -> Value {
        serde_json::to_value(g.subschema_for::<T>()).unwrap()
    }

    /// No wildcard: a new route does not compile until it is documented here.
    fn doc(route: Route, g: &mut SchemaGenerator) -> Doc {
        let list = |items: Value| json!({ "type": "array", "items": items });
        let d = |method, path, summary, status, answer| Doc {
            method,
            path,
            summary,
            query: &[],
            body: None,
            status,
            answer,
        };
        match route {
            Route::OpenApi => d("get", "/api/v1/openapi.json", "This document", "200", json!({ "type": "object" })),
            Route::ListConversations => Doc {
                query: &[
                    ("status", "string", "open, pending or resolved"),
                    ("assignee", "string", "a member's email, or `none` for unassigned"),
                    ("updated_since", "integer", "changed at or after this time (ms since the epoch)"),
                    ("after", "string", "the `next` of the previous page"),
                    ("limit", "integer", "1 to 100 (50)"),
                ],
                ..d(
                    "get",
                    "/api/v1/conversations",
                    "List conversations in pages, in id order (a new message never moves one)",
                    "200",
                    schema::<ConversationPage>(g),
                )
            },
            Route::ReadConversation => d(
                "get",
                "/api/v1/conversations/{id}",
                "Read a conversation",
                "200",
                schema::<shared::ConversationSummary>(g),
            ),
            Route::UpdateConversation => Doc {
                body: Some(schema::<ConversationChange>(g)),
                ..d(
                    "patch",
                    "/api/v1/conversations/{id}",
                    "Set a conversation's status and/or assignee",
                    "200",
                    schema::<shared::ConversationSummary>(g),
                )
            },
            Route::ListMessages => Doc {
                query: &[
                    ("after", "integer", "messages after this sequence number (0)"),
                    ("limit", "integer", "1 to 200 (200)"),
                ],
                ..d(
                    "get",
                    "/api/v1/conversations/{id}/messages",
                    "A conversation's messages, private notes included",
                    "200",
                    list(schema::<shared::ChatMessage>(g)),
                )
            },
            Route::SendMessage => Doc {
                body: Some(schema::<SendMessage>(g)),
                ..d(
                    "post",
                    "/api/v1/conversations/{id}/messages",
                    "Send a message as a member or a bot (a retry with the same client_id is the same message)",
                    "201",
                    schema::<shared::ChatMessage>(g),
                )
            },
            Route::FindContacts => Doc {
                query: &[("q", "string", "an email, a verified user id or a visitor id")],
                ..d("get", "/api/v1/contacts", "Find visitors", "200", list(schema::<shared::privacy::DataSubject>(g)))
            },
            Route::ReadContact => {
                d("get", "/api/v1/contacts/{id}", "Read a visitor", "200", schema::<shared::privacy::DataSubject>(g))
            }
            Route::CorrectContact => Doc {
                body: Some(schema::<ContactCorrection>(g)),
                ..d(
                    "patch",
                    "/api/v1/contacts/{id}",
                    "Correct a visitor's name and/or email (a data-subject request)",
                    "200",
                    schema::<shared::privacy::DataSubject>(g),
                )
            },
            Route::EraseContact => d(
                "delete",
                "/api/v1/contacts/{id}",
                "Erase everything held about a visitor (a data-subject request)",
                "200",
                schema::<shared::privacy::Erased>(g),
            ),
            Route::ConsentRecords => d(
                "get",
                "/api/v1/consent-records",
                "The site's consent records, newest first",
                "200",
                list(schema::<shared::consent::ConsentRecord>(g)),
            ),
        }
    }

    /// The OpenAPI 3.1 document.
    fn document() -> Value {
        let mut g = schemars::generate::SchemaSettings::draft2020_12()
            .with(|s| s.definitions_path = "/components/schemas".into())
            .into_generator();
        let problem = schema::<Problem>(&mut g);
        let mut paths = serde_json::Map::new();
        for route in Route::ALL {
            let d = doc(route, &mut g);
            let mut parameters: Vec<Value> = d
                .query
                .iter()
                .map(|(name, kind, about)| {
                    json!({ "name": name, "in": "query", "description": about, "schema": { "type": kind } })
                })
                .collect();
            if d.path.contains("{id}") {
                parameters
                    .insert(0, json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }));
            }
            let problem_answer = |what: &str| json!({ "description": what, "content": { "application/problem+json": { "schema": problem.clone() } } });
            let mut responses = json!({
                d.status: { "description": "OK", "content": { "application/json": { "schema": d.answer } } },
                "400": problem_answer("Invalid input (`invalid_input`, `malformed_frame`, `empty_message`, `message_too_long`)"),
                "404": problem_answer("Not found in the token's workspace"),
                "429": problem_answer("Over the token's budget (`Retry-After`)"),
            });
            let mut operation = json!({ "summary": d.summary, "operationId": format!("{route:?}") });
            if let Some(scope) = route.scope() {
                responses["401"] = problem_answer("Missing, malformed, revoked or expired token");
                responses["403"] = problem_answer(&format!("The token lacks the `{}` scope", scope.name()));
                operation["security"] = json!([{ "token": [scope.name()] }]);
            } else {
                operation["security"] = json!([]);
            }
            operation["responses"] = responses;
            if !parameters.is_empty() {
                operation["parameters"] = Value::Array(parameters);
            }
            if let Some(body) = d.body {
                operation["requestBody"] =
                    json!({ "required": true, "content": { "application/json": { "schema": body } } });
            }
            let item = paths.entry(d.path.to_owned()).or_insert_with(|| json!({}));
            item[d.method] = operation;
        }
        let token_schemas = [("ApiToken", schema::<ApiToken>(&mut g)), ("NewToken", schema::<NewToken>(&mut g))];
        let mut schemas = serde_json::to_value(g.take_definitions(true)).unwrap();
        for (name, s) in token_schemas {
            schemas.as_object_mut().unwrap().entry(name).or_insert(s);
        }
        json!({
            "openapi": "3.1.0",
            "info": {
                "title": "Provixchat REST API",
                "version": "1",
                "description": "For a site owner's own tools. Every request carries a workspace's API token \
                    (`Authorization: Bearer pvx_…`, made on the workspace's Integrations page). Every refusal \
                    is problem details (RFC 9457) with a typed `code`.",
            },
            "paths": paths,
            "components": {
                "securitySchemes": { "token": { "type": "http", "scheme": "bearer", "description": "A workspace's API token" } },
                "schemas": schemas,
            },
        })
    }

    fn committed_path() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../www/openapi.json")
    }

    #[test]
    fn the_committed_openapi_document_is_the_generated_one() {
        let generated = serde_json::to_string_pretty(&document()).unwrap() + "\n";
        if std::env::var_os("UPDATE_OPENAPI").is_some() {
            std::fs::write(committed_path(), &generated).unwrap();
        }
        let committed = std::fs::read_to_string(committed_path()).unwrap_or_default();
        assert!(
            committed == generated,
            "www/openapi.json is not what the types and routes say: run `UPDATE_OPENAPI=1 cargo test -p edge openapi`"
        );
    }

    #[test]
    fn every_route_is_found_by_its_documented_method_and_path_and_nothing_else_is() {
        let mut g = SchemaGenerator::default();
        for route in Route::ALL {
            let d = doc(route, &mut g);
            let path: Vec<&str> =
                d.path.trim_start_matches("/api/v1/").split('/').map(|s| if s == "{id}" { "x1" } else { s }).collect();
            let found = Route::find(&d.method.to_uppercase(), &path);
            assert_eq!(found.map(|(r, _)| r), Some(route), "{} {}", d.method, d.path);
            assert_eq!(found.and_then(|(_, id)| id).is_some(), d.path.contains("{id}"));
        }
        assert_eq!(Route::find("PUT", &["conversations"]), None);
        assert_eq!(Route::find("GET", &["conversations", "x1", "files"]), None);
        assert_eq!(Route::find("GET", &["workspaces", "demo", "tokens"]), None, "the inbox's routes are not the API's");
    }
}
