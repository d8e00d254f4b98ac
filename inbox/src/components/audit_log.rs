use crate::forms::{audit_actor, audit_filter, audit_label};
use shared::api::{AuditAction, AuditEntry, WorkspaceRef};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct AuditLogProps {
    pub workspace: WorkspaceRef,
}

/// The workspace's audit log for owners and admins: who signed in, changed the team or the
/// settings, exported consent records, newest first, with a CSV export. Read-only here because
/// it is read-only everywhere: the edge appends entries and no route edits one.
#[function_component(AuditLog)]
pub fn audit_log(props: &AuditLogProps) -> Html {
    let entries = use_state(|| None::<Result<Vec<AuditEntry>, String>>);
    let filter = use_state(|| None);
    let base = format!("/api/v1/workspaces/{}/audit", props.workspace.id);
    {
        let entries = entries.clone();
        use_effect_with(base.clone(), move |base| {
            let base = base.clone();
            wasm_bindgen_futures::spawn_local(async move {
                entries.set(Some(client::http::get::<Vec<AuditEntry>>(&base).await.map_err(|e| e.message)));
            });
        });
    }
    let onfilter = {
        let filter = filter.clone();
        Callback::from(move |e: Event| {
            filter.set(audit_filter(&e.target_unchecked_into::<HtmlSelectElement>().value()))
        })
    };
    let shown = |list: &[AuditEntry]| -> Vec<AuditEntry> {
        list.iter().filter(|e| filter.map_or(true, |a| e.action == a)).cloned().collect()
    };
    html! {
        <section class="admin-page audit-log" aria-labelledby="audit-title">
            <header class="page-header">
                <h2 id="audit-title">{ "Audit log" }</h2>
                <p class="hint">
                    { "Sign-ins, team changes, settings and exports, newest first. The log is append-only and kept by the server: nobody, owners included, can edit or delete an entry." }
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
                    Some(Ok(list)) if list.is_empty() => html! { <p class="hint" role="status">{ "Nothing recorded yet." }</p> },
                    Some(Ok(list)) => match shown(list) {
                        rows if rows.is_empty() => html! { <p class="hint" role="status">{ "No entries of this kind." }</p> },
                        rows => html! { <AuditTable entries={rows} /> },
                    },
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
