use super::{
    close_workspace::CloseWorkspace, consent_banner::ConsentBanner, identity_secret::IdentitySecretCard,
    settings_form::SettingsForm,
};
use shared::api::{Role, WorkspaceRef, WorkspaceSettings};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SettingsProps {
    pub workspace: WorkspaceRef,
    /// The owner closed the workspace (what to tell them).
    pub onclosed: Callback<String>,
}

/// The workspace's settings: what the widget says and looks like, when the team is available,
/// saved replies, how long conversations are kept, and the consent banner. Any member may read
/// them (agents answer visitors by them); only owners and admins change them, and only the owner
/// closes the workspace.
#[function_component(Settings)]
pub fn settings(props: &SettingsProps) -> Html {
    let loaded = use_state(|| None::<Result<WorkspaceSettings, String>>);
    let site = props.workspace.id.clone();
    {
        let loaded = loaded.clone();
        use_effect_with(site.clone(), move |site| {
            loaded.set(None);
            let path = format!("/api/v1/workspaces/{site}/settings");
            wasm_bindgen_futures::spawn_local(async move {
                loaded.set(Some(
                    client::http::get_json(&path, WorkspaceSettings::from_json).await.map_err(|e| e.message),
                ));
            });
        });
    }
    let readonly = !props.workspace.can_manage();
    html! {
        <section class="admin-page" aria-labelledby="settings-title">
            <header class="page-header">
                <h2 id="settings-title">{ "Settings" }</h2>
                <p class="hint">{ format!("How {} greets visitors and when your team is there.", props.workspace.name) }</p>
            </header>
            if readonly {
                <p class="page-note">{ "Only owners and admins can change settings; you can see them here." }</p>
            }
            { match &*loaded {
                None => html! { <p role="status">{ "Loading settings…" }</p> },
                Some(Err(message)) => html! { <p class="error" role="alert">{ message }</p> },
                Some(Ok(initial)) => html! {
                    // Keyed by site: another workspace starts a fresh draft.
                    <SettingsForm key={site.to_string()} site={site.clone()} initial={initial.clone()} {readonly} />
                },
            } }
            // The consent settings are for managers only; the edge refuses them to agents.
            if !readonly {
                <IdentitySecretCard key={format!("identity-{site}")} site={site.clone()} />
                <ConsentBanner key={format!("consent-{site}")} site={site.clone()} />
            }
            if props.workspace.role == Role::Owner {
                <CloseWorkspace key={format!("close-{site}")} workspace={props.workspace.clone()} onclosed={props.onclosed.clone()} />
            }
        </section>
    }
}
