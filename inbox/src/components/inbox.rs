use super::{notify::storage, shell::Shell};
use shared::api::Me;
use shared::SiteId;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct InboxProps {
    pub me: Me,
    pub onsignedout: Callback<()>,
}

/// Where the last workspace chosen is remembered, so an agent of several lands in the one they
/// were working in.
const WORKSPACE_KEY: &str = "provixchat.inbox.workspace";

/// The signed-in page. Picks the workspace and renders its shell; switching workspace replaces
/// the shell, which closes every socket of the old one and connects the new one from scratch.
#[function_component(Inbox)]
pub fn inbox(props: &InboxProps) -> Html {
    let chosen = use_state(|| storage().and_then(|s| s.get_item(WORKSPACE_KEY).ok().flatten()));
    let available = use_state(|| true);
    let onavailable = {
        let available = available.clone();
        Callback::from(move |on: bool| available.set(on))
    };
    let onworkspace = {
        let chosen = chosen.clone();
        Callback::from(move |site: SiteId| {
            if let Some(s) = storage() {
                let _ = s.set_item(WORKSPACE_KEY, site.as_str());
            }
            chosen.set(Some(site.to_string()));
        })
    };
    let onsignout = {
        let onsignedout = props.onsignedout.clone();
        Callback::from(move |()| {
            let onsignedout = onsignedout.clone();
            wasm_bindgen_futures::spawn_local(async move {
                // Signed out locally either way: a failed request leaves at worst a session that
                // expires on its own.
                let _ = client::http::post::<_, serde_json::Value>("/api/v1/auth/sign-out", &()).await;
                onsignedout.emit(());
            });
        })
    };
    let workspaces = &props.me.workspaces;
    let workspace = (*chosen)
        .as_ref()
        .and_then(|id| workspaces.iter().find(|w| w.id.as_str() == id))
        .or(workspaces.first())
        .cloned();
    let Some(workspace) = workspace else {
        return html! { <main class="center"><p>{ "Your account does not belong to any workspace yet." }</p></main> };
    };
    let key = workspace.id.as_str().to_owned();
    html! {
        <Shell {key} me={props.me.clone()} {workspace} {onworkspace} available={*available} {onavailable} {onsignout} />
    }
}
