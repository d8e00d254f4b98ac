use super::close_account::CloseAccount;
use shared::api::Me;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NoWorkspaceProps {
    pub me: Me,
    /// Why there is none (a workspace was just closed), said first.
    pub notice: Option<String>,
    pub onsignout: Callback<()>,
    pub onclosed: Callback<String>,
}

/// Signed in, but in no workspace: after closing the last one, or after being removed from it.
/// Without a workspace there is no shell, so its two ways out are here: join one from an invite
/// link, or close the account (which an owner who closed their workspace often wants next).
#[function_component(NoWorkspace)]
pub fn no_workspace(props: &NoWorkspaceProps) -> Html {
    html! {
        <main class="no-workspace">
            <section class="admin-page" aria-labelledby="no-workspace-title">
                <header class="page-header">
                    <h2 id="no-workspace-title">{ "No workspace" }</h2>
                    <p class="hint">{ format!("Signed in as {} ({}).", props.me.name, props.me.email) }</p>
                </header>
                if let Some(text) = &props.notice {
                    <p class="notice" role="status">{ text }</p>
                }
                <section class="card">
                    <p>{ "Your account does not belong to any workspace. To join one, open an invite link from its owner or an admin." }</p>
                    <div class="actions">
                        <button type="button" class="secondary" onclick={props.onsignout.reform(|_: MouseEvent| ())}>{ "Sign out" }</button>
                    </div>
                </section>
                <CloseAccount me={props.me.clone()} onclosed={props.onclosed.clone()} />
            </section>
        </main>
    }
}
