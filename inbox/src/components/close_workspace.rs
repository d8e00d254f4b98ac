use super::field::Field;
use crate::closing::{confirm_label, confirms, deletion_at, workspace_closed, workspace_consequences};
use shared::api::WorkspaceRef;
use shared::privacy::{CloseWorkspaceRequest, Closing};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CloseWorkspaceProps {
    /// Shown to its owner only: the edge refuses everyone else.
    pub workspace: WorkspaceRef,
    /// The workspace is closed: what to tell the owner, who is now without it.
    pub onclosed: Callback<String>,
}

/// "Close workspace": what stops now and what is deleted when, the exports to take first, and
/// the workspace id typed out to arm the button, so it is never pressed by habit.
#[function_component(CloseWorkspace)]
pub fn close_workspace(props: &CloseWorkspaceProps) -> Html {
    let typed = use_state(String::new);
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let site = &props.workspace.id;
    let oninput = {
        let typed = typed.clone();
        Callback::from(move |e: InputEvent| typed.set(crate::browser::value(&e)))
    };
    let onsubmit = {
        let (typed, error, busy, onclosed) = (typed.clone(), error.clone(), busy.clone(), props.onclosed.clone());
        let (site, name) = (site.clone(), props.workspace.name.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            // Enter in the field submits even while the button is disabled.
            if *busy || !confirms(&typed, &site) {
                return;
            }
            let request = CloseWorkspaceRequest { confirm: typed.trim().to_owned() };
            let path = format!("/api/v1/workspaces/{site}/close");
            let (error, busy, onclosed, name) = (error.clone(), busy.clone(), onclosed.clone(), name.clone());
            busy.set(true);
            error.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                match client::http::post_json(&path, &request, Closing::from_json).await {
                    // The inbox moves on without the workspace, which unmounts this card.
                    Ok(closing) => onclosed.emit(workspace_closed(&name, &client::day(closing.deleted_at))),
                    Err(e) => {
                        error.set(Some(e.message));
                        busy.set(false);
                    }
                }
            });
        })
    };
    let day = client::day(deletion_at(js_sys::Date::now() as i64));
    let base = format!("/api/v1/workspaces/{site}");
    let armed = confirms(&typed, site) && !*busy;
    html! {
        <section class="card danger-zone" aria-labelledby="close-workspace-title">
            <h3 id="close-workspace-title">{ "Close workspace" }</h3>
            <ul class="consequences">
                { for workspace_consequences(&day).into_iter().map(|text| html! { <li>{ text }</li> }) }
            </ul>
            <div class="export-first">
                <p><strong>{ "Export what you need first." }</strong>{ " Nothing can be downloaded once the workspace is closed." }</p>
                <p class="links">
                    <a href={format!("{base}/consents?format=csv")} download="">{ "Consent log (CSV)" }</a>
                    <a href={format!("{base}/audit?format=csv")} download="">{ "Audit log (CSV)" }</a>
                </p>
                <p class="hint">{ "A visitor's own data can be downloaded from Data requests." }</p>
            </div>
            <form class="close-form" {onsubmit}>
                <Field id="close-confirm" label={confirm_label(site)}>
                    <input id="close-confirm" value={(*typed).clone()} {oninput} autocomplete="off" spellcheck="false"
                        autocapitalize="off" />
                </Field>
                if let Some(message) = &*error {
                    <p class="error" role="alert">{ message }</p>
                }
                <div class="actions">
                    <button type="submit" class="danger-solid" disabled={!armed}>
                        { if *busy { "Closing…" } else { "Close workspace" } }
                    </button>
                </div>
            </form>
        </section>
    }
}
