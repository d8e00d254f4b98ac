use super::{
    close_account::CloseAccount, field::Field, save_status::SaveStatus, security_log::SecurityLog, sessions::Sessions,
};
use shared::api::{ChangePasswordRequest, Me, NotifyRequest, NotifyWhen};
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct AccountProps {
    pub me: Me,
    /// The account was closed: back to the sign-in screen, saying so.
    pub onclosed: Callback<String>,
}

/// The agent's own account: password, signed-in devices, the security log and, last, closing
/// it. A password change signs every other device out, so the lists reload after one.
#[function_component(Account)]
pub fn account(props: &AccountProps) -> Html {
    let (current, new) = (use_node_ref(), use_node_ref());
    let status = use_state(|| None::<Result<String, String>>);
    let busy = use_state(|| false);
    // Bumped after a change the lists must show.
    let changes = use_state(|| 0u32);
    let onsubmit = {
        let (current, new, status, busy, changes) =
            (current.clone(), new.clone(), status.clone(), busy.clone(), changes.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let (Some(current), Some(new)) = (current.cast::<HtmlInputElement>(), new.cast::<HtmlInputElement>())
            else {
                return;
            };
            let request = ChangePasswordRequest { current: current.value(), new: new.value() };
            let (status, busy, changes) = (status.clone(), busy.clone(), changes.clone());
            busy.set(true);
            status.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                match client::http::post_json("/api/v1/me/password", &request, client::http::any_answer).await {
                    Ok(_) => {
                        current.set_value("");
                        new.set_value("");
                        status.set(Some(Ok("Password changed".into())));
                        changes.set(*changes + 1);
                    }
                    // The edge says "wrong email or password", which reads oddly on this page.
                    Err(e) if e.error == shared::ErrorCode::InvalidCredentials => {
                        status.set(Some(Err("Your current password is not right.".into())))
                    }
                    Err(e) => status.set(Some(Err(e.message))),
                }
                busy.set(false);
            });
        })
    };
    let notify_status = use_state(|| None::<Result<String, String>>);
    let onnotify = {
        let notify_status = notify_status.clone();
        Callback::from(move |e: Event| {
            let picked = crate::browser::value(&e);
            let Some(notify) = NotifyWhen::from_name(&picked) else { return };
            let notify_status = notify_status.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let path = "/api/v1/me/notifications";
                let saved = client::http::put_json(path, &NotifyRequest { notify }, client::http::any_answer).await;
                notify_status.set(Some(saved.map(|()| "Saved".into()).map_err(|e| e.message)));
            });
        })
    };
    let onresend = {
        let notify_status = notify_status.clone();
        Callback::from(move |_: MouseEvent| {
            let notify_status = notify_status.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let path = "/api/v1/me/verification";
                let sent = client::http::post_json(path, &client::http::NoBody, client::http::any_answer).await;
                notify_status.set(Some(sent.map(|()| "A new link is on its way".into()).map_err(|e| e.message)));
            });
        })
    };
    let onrevoked = {
        let changes = changes.clone();
        Callback::from(move |()| changes.set(*changes + 1))
    };
    html! {
        <section class="admin-page" aria-labelledby="account-title">
            <header class="page-header">
                <h2 id="account-title">{ "Account" }</h2>
                <p class="hint">{ format!("Signed in as {} ({}).", props.me.name, props.me.email) }</p>
            </header>
            <section class="card" aria-labelledby="password-title">
                <h3 id="password-title">{ "Password" }</h3>
                <form class="password-form" {onsubmit}>
                    <input type="email" hidden=true readonly=true autocomplete="username" value={props.me.email.to_string()} />
                    <Field id="pw-current" label="Current password">
                        <input id="pw-current" ref={current} type="password" autocomplete="current-password" required=true />
                    </Field>
                    <Field id="pw-new" label="New password" hint="At least 8 characters. Your other devices will be signed out.">
                        <input id="pw-new" ref={new} type="password" autocomplete="new-password" required=true minlength="8"
                            aria-describedby="pw-new-hint" />
                    </Field>
                    <div class="save-bar">
                        <button type="submit" class="primary" disabled={*busy}>{ "Change password" }</button>
                        <SaveStatus status={(*status).clone()} />
                    </div>
                </form>
            </section>
            <section class="card" aria-labelledby="notify-title">
                <h3 id="notify-title">{ "Email notifications" }</h3>
                <Field id="notify-when" label="Email me about visitors waiting for an answer"
                    hint="One email with every waiting conversation, at most every 10 minutes, for each of your workspaces.">
                    <select id="notify-when" onchange={onnotify} aria-describedby="notify-when-hint">
                        { for NotifyWhen::ALL.into_iter().map(|w| html! {
                            <option value={w.name()} selected={w == props.me.notify}>{ notify_label(w) }</option>
                        }) }
                    </select>
                </Field>
                if !props.me.email_verified {
                    <p>{ format!("Emails go only to a confirmed address: open the link we sent to {}.", props.me.email) }</p>
                    <button type="button" class="secondary" onclick={onresend}>{ "Send the link again" }</button>
                }
                <SaveStatus status={(*notify_status).clone()} />
            </section>
            <Sessions changes={*changes} {onrevoked} />
            <SecurityLog changes={*changes} />
            <CloseAccount me={props.me.clone()} onclosed={props.onclosed.clone()} />
        </section>
    }
}

fn notify_label(when: NotifyWhen) -> &'static str {
    match when {
        NotifyWhen::Never => "Never",
        NotifyWhen::Away => "When nobody on the team is available",
        NotifyWhen::After5 => "When unanswered for 5 minutes",
        NotifyWhen::After15 => "When unanswered for 15 minutes",
        NotifyWhen::After60 => "When unanswered for an hour",
    }
}
