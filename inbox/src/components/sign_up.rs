use super::field::Field;
use crate::forms::{region_from_value, REGIONS};
use shared::api::{Me, SignUpRequest};
use shared::privacy::DataRegion;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SignUpProps {
    /// The new owner, signed in, with the new workspace first in `workspaces`.
    pub onsignedup: Callback<Me>,
    pub onsignin: Callback<()>,
}

/// A new owner and their first workspace in one form: everything needed to paste the snippet
/// right after, nothing more. The edge sets the session cookie, as for a sign-in.
#[function_component(SignUp)]
pub fn sign_up(props: &SignUpProps) -> Html {
    let fields = [use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref(), use_node_ref()];
    let error = use_state(|| None::<String>);
    let busy = use_state(|| false);
    let region = use_state(DataRegion::default);
    let onregion = {
        let region = region.clone();
        Callback::from(move |e: Event| region.set(region_from_value(&crate::browser::value(&e))))
    };
    let onsubmit = {
        let (fields, error, busy, onsignedup, region) =
            (fields.clone(), error.clone(), busy.clone(), props.onsignedup.clone(), region.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let [name, email, password, workspace_name, website] =
                fields.clone().map(|r| r.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default());
            let request = SignUpRequest { name, email, password, workspace_name, website, data_region: *region };
            let (error, busy, onsignedup) = (error.clone(), busy.clone(), onsignedup.clone());
            busy.set(true);
            error.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                match client::http::post_json("/api/v1/auth/sign-up", &request, Me::from_json).await {
                    Ok(me) => onsignedup.emit(me),
                    Err(e) => {
                        error.set(Some(e.message));
                        busy.set(false);
                    }
                }
            });
        })
    };
    let onsignin = props.onsignin.reform(|_: MouseEvent| ());
    let [name, email, password, workspace_name, website] = fields;
    html! {
        <main class="center">
            <form class="sign-in sign-up" {onsubmit}>
                <h1>{ "Create your workspace" }</h1>
                <p class="lead">{ "Live chat for your site, without tracking your visitors." }</p>
                <Field id="su-name" label="Your name">
                    <input id="su-name" ref={name} name="name" autocomplete="name" required=true />
                </Field>
                <Field id="su-email" label="Email">
                    <input id="su-email" ref={email} type="email" name="email" autocomplete="email" required=true />
                </Field>
                <Field id="su-password" label="Password" hint="At least 8 characters; a long phrase is best.">
                    <input id="su-password" ref={password} type="password" name="password" autocomplete="new-password" required=true
                        minlength="8" aria-describedby="su-password-hint" />
                </Field>
                <Field id="su-workspace" label="Workspace name">
                    <input id="su-workspace" ref={workspace_name} name="workspace" autocomplete="organization" required=true placeholder="Acme Shop" />
                </Field>
                <Field id="su-website" label="Website" hint="Where the chat will appear. You can add more domains later.">
                    <input id="su-website" ref={website} name="website" autocomplete="url" required=true placeholder="shop.example"
                        aria-describedby="su-website-hint" />
                </Field>
                <fieldset class="regions" aria-describedby="su-region-hint">
                    <legend>{ "Data location" }</legend>
                    { for REGIONS.into_iter().map(|(r, value, name, hint)| {
                        let id = format!("su-region-{value}");
                        html! {
                            <div class="region">
                                <input type="radio" id={id.clone()} name="data_region" {value} checked={*region == r}
                                    aria-describedby={format!("{id}-hint")} onchange={onregion.clone()} />
                                <label for={id.clone()}>{ name }</label>
                                <p class="hint" id={format!("{id}-hint")}>{ hint }</p>
                            </div>
                        }
                    }) }
                    <p class="hint" id="su-region-hint">{ "Where conversations and visitor data are stored. It cannot be changed later." }</p>
                </fieldset>
                if let Some(message) = &*error {
                    <p class="error" role="alert">{ message }</p>
                }
                <button type="submit" disabled={*busy}>{ if *busy { "Creating…" } else { "Create workspace" } }</button>
                <p class="alt-action">{ "Already have an account? " }
                    <button type="button" class="link-button" onclick={onsignin}>{ "Sign in instead" }</button>
                </p>
            </form>
        </main>
    }
}
