use crate::forms::{audit_actor, audit_filter, audit_label};
use shared::api::{AuditAction, AuditEntry, AuditPage, WorkspaceRef};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// What is loaded of a paged audit list: the entries so far and where the next page starts.
type Loaded = Option<Result<(Vec<AuditEntry>, Option<u64>), String>>;

/// Pages of an audit list at `path` (`…/audit` or `…/data-requests`), `query` added to every
/// request (the action filter): the first page when either changes or `version` does, older
/// ones appended by the callback. Nothing is out of reach however long the log grows.
#[hook]
pub fn use_audit_pages(path: String, query: String, version: u32) -> (UseStateHandle<Loaded>, Callback<()>) {
    let loaded = use_state(|| None::<Result<(Vec<AuditEntry>, Option<u64>), String>>);
    {
        let loaded = loaded.clone();
        use_effect_with((path.clone(), query.clone(), version), move |(path, query, _)| {
            loaded.set(None);
            let url = format!("{path}?{query}");
            wasm_bindgen_futures::spawn_local(async move {
                let page = client::http::get_json(&url, AuditPage::from_json).await;
                loaded.set(Some(page.map(|p| (p.entries, p.next_before)).map_err(|e| e.message)));
            });
        });
    }
    let more = {
        let loaded = loaded.clone();
        Callback::from(move |()| {
            let Some(Ok((entries, Some(before)))) = (*loaded).clone() else { return };
            let (loaded, url) = (loaded.clone(), format!("{path}?{query}&before={before}"));
            wasm_bindgen_futures::spawn_local(async move {
                match client::http::get_json(&url, AuditPage::from_json).await {
                    Ok(page) => {
                        let all = entries.into_iter().chain(page.entries).collect();
                        loaded.set(Some(Ok((all, page.next_before))));
                    }
                    Err(e) => loaded.set(Some(Err(e.message))),
                }
            });
        })
    };
    (loaded, more)
}

/// The button under a paged list, while older entries remain.
pub fn load_older(next: Option<u64>, more: &Callback<()>) -> Html {
    match next {
        Some(_) => html! {
            <button type="button" class="secondary load-older" onclick={more.reform(|_: MouseEvent| ())}>{ "Load older entries" }</button>
        },
        None => html! {},
    }
}

#[derive(Properties, PartialEq)]
pub struct AuditLogProps {
    pub workspace: WorkspaceRef,
}

/// The workspace's audit log for owners and admins: who signed in, changed the team or the
/// settings, exported consent records, newest first, with a CSV export. Read-only here because
/// it is read-only everywhere: the edge appends entries and no route edits one.
#[function_component(AuditLog)]
pub fn audit_log(props: &AuditLogProps) -> Html {
    let filter = use_state(|| None::<AuditAction>);
    let base = format!("/api/v1/workspaces/{}/audit", props.workspace.id);
    // Filtered by the edge, so a filter reaches entries of every age, not only those loaded.
    let query = match *filter {
        Some(action) => format!("action={}", action.wire_name()),
        None => String::new(),
    };
    let (entries, more) = use_audit_pages(base.clone(), query, 0);
    let onfilter = {
        let filter = filter.clone();
        Callback::from(move |e: Event| {
            filter.set(audit_filter(&e.target_unchecked_into::<HtmlSelectElement>().value()))
        })
    };
    html! {
        <section class="admin-page audit-log" aria-labelledby="audit-title">
            <header class="page-header">
                <h2 id="audit-title">{ "Audit log" }</h2>
                <p class="hint">
                    { "Sign-ins, team, settings, billing and exports, newest first. Append-only and kept by the server: nobody, owners included, can edit or delete an entry." }
                </p>
            </header>
            <div class="actions toolbar">
                <div class="field">
                    <label for="audit-action">{ "Action" }</label>
                    <select id="audit-action" onchange={onfilter}>
                        <option value="" selected={filter.is_none()}>{ "All" }</option>
                        { for AuditAction::ALL.iter().enumerate().map(|(i, &a)| html! {
                            <option value={i.to_string()} selected={*filter == Some(a)}>{ audit_label(a) }</option>
                        }) }
                    </select>
                </div>
                <a class="button secondary" href={format!("{base}?format=csv")} download="">{ "Export CSV" }</a>
            </div>
            <section class="card">
                { match &*entries {
                    None => html! { <p role="status">{ "Loading the audit log…" }</p> },
                    Some(Err(message)) => html! { <p class="error" role="alert">{ message }</p> },
                    Some(Ok((list, _))) if list.is_empty() && filter.is_none() => html! { <p class="hint" role="status">{ "Nothing recorded yet." }</p> },
                    Some(Ok((list, _))) if list.is_empty() => html! { <p class="hint" role="status">{ "No entries of this kind." }</p> },
                    Some(Ok((list, next))) => html! { <>
                        <AuditTable entries={list.clone()} />
                        { load_older(*next, &more) }
                    </> },
                } }
            </section>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct AuditTableProps {
    /// Newest first, as the edge answers.
    pub entries: Vec<AuditEntry>,
}

/// Audit entries as a table: when, who, what, details. Also the data requests page's history,
/// which is the audit log's data-subject entries.
#[function_component(AuditTable)]
pub fn audit_table(props: &AuditTableProps) -> Html {
    html! {
        <table class="audit-table">
            <thead><tr>
                <th scope="col">{ "When" }</th><th scope="col">{ "Who" }</th>
                <th scope="col">{ "What" }</th><th scope="col">{ "Details" }</th>
            </tr></thead>
            <tbody>{ for props.entries.iter().map(row) }</tbody>
        </table>
    }
}

fn row(e: &AuditEntry) -> Html {
    let iso = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(e.at as f64)).to_iso_string();
    html! {
        <tr>
            <td data-label="When"><time datetime={String::from(iso)}>{ crate::browser::when(e.at) }</time></td>
            <td data-label="Who">{ audit_actor(&e.actor) }</td>
            <td data-label="What">{ audit_label(e.action) }</td>
            <td data-label="Details">{ &e.detail }</td>
        </tr>
    }
}
