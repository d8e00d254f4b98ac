use super::{
    audit_log::{load_older, use_audit_pages, AuditTable},
    data_subject::DataSubjectCard,
};
use crate::data_requests::{erased_text, search_query, Lookup, LookupAction};
use shared::api::WorkspaceRef;
use shared::privacy::{DataSubject, Erased};
use shared::{SiteId, VisitorId};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct DataRequestsProps {
    pub workspace: WorkspaceRef,
}

/// Data-subject requests for owners and admins: find a visitor by email or visitor id, run on
/// their behalf what they could ask for themselves from the widget's privacy menu (download,
/// correct, restrict, object, erase), and read the history of every such request, theirs and
/// the team's.
#[function_component(DataRequests)]
pub fn data_requests(props: &DataRequestsProps) -> Html {
    let lookup = use_reducer(Lookup::default);
    let text = use_state(String::new);
    let error = use_state(|| None::<String>);
    // Bumped after each request, so the history below shows it.
    let recorded = use_state(|| 0u32);
    let site = props.workspace.id.clone();
    let onsubmit = {
        let (lookup, text, error, site) = (lookup.clone(), text.clone(), error.clone(), site.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(query) = search_query(&text) else {
                error.set(Some("Enter an email address or a visitor id.".into()));
                return;
            };
            error.set(None);
            lookup.dispatch(LookupAction::Search(query.clone()));
            let path = format!("/api/v1/workspaces/{site}/data-subjects?q={}", js_sys::encode_uri_component(&query));
            let (dispatcher, error) = (lookup.dispatcher(), error.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match client::http::get_json(&path, |v| shared::json::api::list_of(v, DataSubject::from_json)).await {
                    Ok(subjects) => dispatcher.dispatch(LookupAction::Found { query, subjects }),
                    Err(e) => error.set(Some(e.message)),
                }
            });
        })
    };
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| text.set(crate::browser::value(&e)))
    };
    let onrecorded = {
        let recorded = recorded.clone();
        Callback::from(move |()| recorded.set(*recorded + 1))
    };
    let onupdated = {
        let (dispatcher, onrecorded) = (lookup.dispatcher(), onrecorded.clone());
        Callback::from(move |subject: DataSubject| {
            dispatcher.dispatch(LookupAction::Updated(subject));
            onrecorded.emit(());
        })
    };
    let onerased = {
        let (dispatcher, onrecorded) = (lookup.dispatcher(), onrecorded.clone());
        Callback::from(move |(visitor, erased): (VisitorId, Erased)| {
            dispatcher.dispatch(LookupAction::Erased { visitor, erased });
            onrecorded.emit(());
        })
    };
    let searching = !lookup.query.is_empty() && lookup.found.is_none() && error.is_none();
    html! {
        <section class="admin-page data-requests" aria-labelledby="data-requests-title">
            <header class="page-header">
                <h2 id="data-requests-title">{ "Data requests" }</h2>
                <p class="hint">
                    { "When a visitor asks you — by email, say — to see, correct, restrict or delete what you hold about them, \
                       find them here and act on their behalf. Visitors can do the same themselves from the chat's privacy menu." }
                </p>
            </header>
            <form class="card lookup" role="search" aria-label="Find a visitor" {onsubmit} novalidate=true>
                <div class="field">
                    <label for="subject-query">{ "Email or visitor ID" }</label>
                    <div class="lookup-row">
                        <input id="subject-query" type="search" value={(*text).clone()} {oninput} autocomplete="off" spellcheck="false"
                            placeholder="ana@example.com" />
                        <button type="submit" class="primary" disabled={searching}>{ "Find" }</button>
                    </div>
                </div>
            </form>
            if let Some(erased) = &lookup.erased {
                <p class="erased" role="status">{ erased_text(erased) }</p>
            }
            { match (&*error, &lookup.found) {
                (Some(message), _) => html! { <p class="error" role="alert">{ message }</p> },
                (None, None) if searching => html! { <p role="status">{ "Searching…" }</p> },
                (None, None) => html! {},
                // After an erasure the page's status already speaks; an empty list says nothing more.
                (None, Some(found)) if found.is_empty() && lookup.erased.is_some() => html! {},
                (None, Some(found)) if found.is_empty() => html! {
                    <p class="hint" role="status">{ "No visitor with that email or id." }</p>
                },
                (None, Some(found)) => html! {
                    <div class="subjects">
                        { for found.iter().map(|s| html! {
                            <DataSubjectCard key={s.visitor_id.as_ref().map_or("", |v| v.as_str()).to_owned()} site={site.clone()}
                                subject={s.clone()} onupdated={onupdated.clone()} onerased={onerased.clone()} onrecorded={onrecorded.clone()} />
                        }) }
                    </div>
                },
            } }
            <RequestHistory site={site.clone()} version={*recorded} />
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct RequestHistoryProps {
    site: SiteId,
    /// Changes after each request, to fetch the history again.
    version: u32,
}

/// Every data-subject request of the workspace, newest first: by the visitor or on their behalf,
/// each naming its subject only by a reference that cannot be traced back.
#[function_component(RequestHistory)]
fn request_history(props: &RequestHistoryProps) -> Html {
    let path = format!("/api/v1/workspaces/{}/data-requests", props.site);
    let (entries, more) = use_audit_pages(path, String::new(), props.version);
    html! {
        <section class="card history" aria-labelledby="request-history-title">
            <h3 id="request-history-title">{ "Request history" }</h3>
            <p class="hint">{ "Kept in the audit log, which nobody can edit. Erasures keep only a reference, never who it was." }</p>
            { match &*entries {
                None => html! { <p class="hint">{ "Loading the history…" }</p> },
                Some(Err(message)) => html! { <p class="error" role="alert">{ message }</p> },
                Some(Ok((list, _))) if list.is_empty() => html! { <p class="hint">{ "No requests yet." }</p> },
                Some(Ok((list, next))) => html! { <>
                    <AuditTable entries={list.clone()} />
                    { load_older(*next, &more) }
                </> },
            } }
        </section>
    }
}
