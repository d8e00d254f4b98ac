use super::{no_workspace::NoWorkspace, notify::storage, shell::Shell};
use shared::api::Me;
use shared::{ErrorCode, SiteId};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct InboxProps {
    pub me: Me,
    pub onsignedout: Callback<()>,
    /// The account was closed (and its session with it): what to say on the sign-in screen.
    pub onclosed: Callback<String>,
    /// The session ended elsewhere while the inbox was open.
    pub onsessionended: Callback<()>,
    /// The session as reloaded after a workspace was closed.
    pub onme: Callback<Me>,
    /// What to say when the inbox opens (the outcome of an address confirmation link).
    #[prop_or_default]
    pub notice: Option<String>,
}

/// Where the last workspace chosen is remembered, so an agent of several lands in the one they
/// were working in.
const WORKSPACE_KEY: &str = "provixchat.inbox.workspace";

/// The signed-in page. Picks the workspace and renders its shell; switching workspace replaces
/// the shell, which closes every socket of the old one and connects the new one from scratch.
/// Holds the notice that a workspace was closed, since the shell it was closed from is gone.
#[function_component(Inbox)]
pub fn inbox(props: &InboxProps) -> Html {
    // `#open=SITE/ID` (a digest's link): that workspace and conversation. Read as the inbox
    // mounts: the app mounts it again for a link opened while it shows.
    let open = use_state(|| match crate::forms::hash_link(&crate::browser::hash()) {
        Some(crate::forms::HashLink::Open(site, id)) => {
            crate::browser::clear_hash();
            Some((site, id))
        }
        _ => None,
    });
    let chosen = use_state(|| {
        let stored = || storage().and_then(|s| s.get_item(WORKSPACE_KEY).ok().flatten());
        open.as_ref().map(|(site, _)| site.to_string()).or_else(stored)
    });
    let available = use_state(|| true);
    // Until the agent confirms their address, the inbox opens reminding them.
    let notice = use_state(|| {
        (!props.me.email_verified).then(|| {
            format!(
                "Confirm your address: we sent a link to {}. Account (Email notifications) sends it again.",
                props.me.email
            )
        })
    });
    {
        // A link opened while the inbox is already showing says its outcome here too.
        let notice = notice.clone();
        use_effect_with(props.notice.clone(), move |said| {
            if said.is_some() {
                notice.set(said.clone());
            }
        });
    }
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
                let _ =
                    client::http::post_json("/api/v1/auth/sign-out", &client::http::NoBody, client::http::any_answer)
                        .await;
                onsignedout.emit(());
            });
        })
    };
    let onworkspaceclosed = {
        let (notice, onme, onsignedout) = (notice.clone(), props.onme.clone(), props.onsignedout.clone());
        Callback::from(move |text: String| {
            notice.set(Some(text));
            let (onme, onsignedout) = (onme.clone(), onsignedout.clone());
            // The closed workspace is gone from the account: the session says which are left.
            wasm_bindgen_futures::spawn_local(async move {
                match client::http::get_json("/api/v1/me", Me::from_json).await {
                    Ok(me) => onme.emit(me),
                    Err(e) if e.error == ErrorCode::Unauthorized => onsignedout.emit(()),
                    Err(_) => {}
                }
            });
        })
    };
    let ondismiss = {
        let notice = notice.clone();
        Callback::from(move |()| notice.set(None))
    };
    let workspaces = &props.me.workspaces;
    let workspace = (*chosen)
        .as_ref()
        .and_then(|id| workspaces.iter().find(|w| w.id.as_str() == id))
        .or(workspaces.first())
        .cloned();
    let Some(workspace) = workspace else {
        return html! { <NoWorkspace me={props.me.clone()} notice={(*notice).clone()} {onsignout} onclosed={props.onclosed.clone()} /> };
    };
    let key = workspace.id.as_str().to_owned();
    html! {
        <Shell {key} me={props.me.clone()} {workspace} {onworkspace} available={*available} {onavailable} {onsignout}
            onclosed={props.onclosed.clone()} onsessionended={props.onsessionended.clone()} {onworkspaceclosed}
            notice={(*notice).clone()} {ondismiss} open={open.as_ref().map(|(_, id)| id.clone())} />
    }
}
