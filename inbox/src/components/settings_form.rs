use super::{
    business_hours::BusinessHoursEditor, field::Field, save_status::SaveStatus,
    saved_replies_editor::SavedRepliesEditor,
};
use crate::forms;
use crate::settings_draft::{Draft, Edit};
use shared::api::{Greeting, LauncherPosition, WorkspaceSettings};
use shared::consent::Lang;
use shared::SiteId;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SettingsFormProps {
    pub site: SiteId,
    /// The settings as fetched; the form edits a draft of them until "Save settings".
    pub initial: WorkspaceSettings,
    pub readonly: bool,
}

/// A callback that writes the value of the input, textarea or select it is attached to into the
/// draft with `set`. One line per field keeps this long form readable.
pub fn field<E: AsRef<web_sys::Event> + 'static>(onedit: &Callback<Edit>, set: fn(&mut Draft, String)) -> Callback<E> {
    let onedit = onedit.clone();
    Callback::from(move |e: E| {
        let value = crate::browser::value(e.as_ref());
        onedit.emit(Edit::new(move |d| set(d, value)));
    })
}

/// Like [`field`], for one language's greeting or offline message.
fn translated(onedit: &Callback<Edit>, lang: Lang, set: fn(&mut Greeting, String)) -> Callback<InputEvent> {
    let onedit = onedit.clone();
    Callback::from(move |e: InputEvent| {
        let value = crate::browser::value(&e);
        onedit.emit(Edit::new(move |d| d.set_translation(lang, |g| set(g, value))));
    })
}

/// Like [`field`], for a checkbox: writes whether it is ticked.
pub fn check(onedit: &Callback<Edit>, set: fn(&mut Draft, bool)) -> Callback<Event> {
    let onedit = onedit.clone();
    Callback::from(move |e: Event| {
        let on = crate::browser::checked(&e);
        onedit.emit(Edit::new(move |d| set(d, on)));
    })
}

/// Every workspace setting in one form with one save, since they are read together by the
/// widget; the edge validates and answers with the settings as stored (domains normalised).
#[function_component(SettingsForm)]
pub fn settings_form(props: &SettingsFormProps) -> Html {
    let draft = use_reducer({
        let initial = props.initial.clone();
        move || Draft::new(initial)
    });
    let status = use_state(|| None::<Result<String, String>>);
    let busy = use_state(|| false);
    // Editing after a save hides "Settings saved": it is no longer true.
    let onedit = {
        let (dispatcher, status) = (draft.dispatcher(), status.clone());
        Callback::from(move |edit: Edit| {
            dispatcher.dispatch(edit);
            status.set(None);
        })
    };
    let onsubmit = {
        let (draft, status, busy, site) = (draft.clone(), status.clone(), busy.clone(), props.site.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let next = draft.to_settings();
            let (dispatcher, status, busy) = (draft.dispatcher(), status.clone(), busy.clone());
            let path = format!("/api/v1/workspaces/{site}/settings");
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match client::http::put_json(&path, &next, WorkspaceSettings::from_json).await {
                    Ok(saved) => {
                        dispatcher.dispatch(Edit::new(move |d| *d = Draft::new(saved)));
                        status.set(Some(Ok("Settings saved".into())));
                    }
                    Err(e) => status.set(Some(Err(e.message))),
                }
                busy.set(false);
            });
        })
    };
    let s = &draft.settings;
    let retention = forms::retention_value(s.retention_days);
    let language = s.language.map_or("", Lang::code);
    html! {
        <form class="settings-form" {onsubmit}>
            <fieldset class="plain" disabled={props.readonly}>
                <section class="card">
                    <h3>{ "Workspace" }</h3>
                    <Field id="ws-name" label="Workspace name">
                        <input id="ws-name" value={s.name.clone()} required=true oninput={field(&onedit, |d, v| d.settings.name = v)} />
                    </Field>
                    <Field id="ws-greeting" label="Greeting" hint="Shown above an empty conversation.">
                        <textarea id="ws-greeting" rows="2" aria-describedby="ws-greeting-hint" value={s.greeting.clone()}
                            oninput={field(&onedit, |d, v| d.settings.greeting = v)} />
                    </Field>
                    <Field id="ws-domains" label="Allowed domains" hint="One per line. The widget only opens on these sites.">
                        <textarea id="ws-domains" rows="3" spellcheck="false" aria-describedby="ws-domains-hint" value={draft.domains.clone()}
                            oninput={field(&onedit, |d, v| d.domains = v)} />
                    </Field>
                </section>
                <section class="card">
                    <h3>{ "Widget" }</h3>
                    <div class="grid">
                        <Field id="ws-colour" label="Colour">
                            <span class="colour">
                                <input id="ws-colour" type="color" value={s.color.clone()} oninput={field(&onedit, |d, v| d.settings.color = v)} />
                                <code>{ &s.color }</code>
                            </span>
                        </Field>
                        <Field id="ws-position" label="Launcher position">
                            <select id="ws-position" onchange={field(&onedit, |d, v| d.settings.position = forms::position_from_value(&v))}>
                                { for [(LauncherPosition::Right, "Bottom right"), (LauncherPosition::Left, "Bottom left")].into_iter().map(|(p, label)| html! {
                                    <option value={forms::position_value(p)} selected={s.position == p}>{ label }</option>
                                }) }
                            </select>
                        </Field>
                        <Field id="ws-launcher-text" label="Launcher text" hint="Beside the chat icon; leave empty for the icon alone.">
                            <input id="ws-launcher-text" aria-describedby="ws-launcher-text-hint" value={s.launcher_text.clone()} placeholder="Chat with us"
                                oninput={field(&onedit, |d, v| d.settings.launcher_text = v)} />
                        </Field>
                        <Field id="ws-team-name" label="Team name" hint="In the widget's header instead of the workspace name.">
                            <input id="ws-team-name" aria-describedby="ws-team-name-hint" value={s.team_name.clone()} placeholder={s.name.clone()}
                                oninput={field(&onedit, |d, v| d.settings.team_name = v)} />
                        </Field>
                        <Field id="ws-language" label="Widget language">
                            <select id="ws-language" onchange={field(&onedit, |d, v| d.settings.language = forms::language_from_value(&v))}>
                                <option value="" selected={language.is_empty()}>{ "Visitor's language" }</option>
                                { for Lang::ALL.into_iter().map(|l| html! {
                                    <option value={l.code()} selected={language == l.code()}>{ forms::language_label(l) }</option>
                                }) }
                            </select>
                        </Field>
                        <Field id="ws-prechat" label="Pre-chat form" hint="Ask for a name and email before the first message.">
                            <select id="ws-prechat" aria-describedby="ws-prechat-hint"
                                onchange={field(&onedit, |d, v| d.settings.prechat = forms::prechat_from_value(&v))}>
                                { for forms::PRECHAT.into_iter().map(|(m, value, label)| html! {
                                    <option {value} selected={s.prechat == m}>{ label }</option>
                                }) }
                            </select>
                        </Field>
                    </div>
                </section>
                <section class="card">
                    <h3>{ "Availability" }</h3>
                    <BusinessHoursEditor hours={s.business_hours.clone()} onedit={onedit.clone()} />
                    <Field id="ws-offline" label="Offline message" hint="Shown when nobody is available; visitors can leave their email.">
                        <textarea id="ws-offline" rows="2" aria-describedby="ws-offline-hint" value={s.offline_message.clone()}
                            oninput={field(&onedit, |d, v| d.settings.offline_message = v)}
                            placeholder="We're away right now. Leave your email and we'll reply." />
                    </Field>
                </section>
                <section class="card">
                    <h3>{ "Greetings in other languages" }</h3>
                    <p class="hint">{ "For visitors whose widget speaks one of these languages; left empty, they read the greeting and offline message above." }</p>
                    { for Lang::ALL.into_iter().map(|lang| {
                        let (t, code) = (draft.translation(lang), lang.code());
                        html! {
                            <fieldset class="plain translation">
                                <legend>{ forms::language_label(lang) }</legend>
                                <Field id={format!("ws-greeting-{code}")} label="Greeting">
                                    <textarea id={format!("ws-greeting-{code}")} rows="2" value={t.greeting}
                                        oninput={translated(&onedit, lang, |g, v| g.greeting = v)} />
                                </Field>
                                <Field id={format!("ws-offline-{code}")} label="Offline message">
                                    <textarea id={format!("ws-offline-{code}")} rows="2" value={t.offline_message}
                                        oninput={translated(&onedit, lang, |g, v| g.offline_message = v)} />
                                </Field>
                            </fieldset>
                        }
                    }) }
                </section>
                <section class="card">
                    <h3>{ "Saved replies" }</h3>
                    <SavedRepliesEditor replies={s.canned_responses.clone()} onedit={onedit.clone()} />
                </section>
                <section class="card">
                    <h3>{ "Visitors" }</h3>
                    <div class="checks">
                        <div class="check-field">
                            <label class="check">
                                <input type="checkbox" checked={s.identity_verification} aria-describedby="ws-verify-hint"
                                    onchange={check(&onedit, |d, on| d.settings.identity_verification = on)} />
                                <span>{ "Verify identities" }</span>
                            </label>
                            <p class="hint" id="ws-verify-hint">{ "Provixchat.identify is refused unless it carries a hash of the user id \
                                made with the workspace's identity secret. Verified visitors get a badge." }</p>
                        </div>
                        <div class="check-field">
                            <label class="check">
                                <input type="checkbox" checked={s.store_ip} aria-describedby="ws-ip-hint"
                                    onchange={check(&onedit, |d, on| d.settings.store_ip = on)} />
                                <span>{ "Keep IP addresses (truncated)" }</span>
                            </label>
                            <p class="hint" id="ws-ip-hint">{ "Shown in the visitor's profile without their last part (IPv4 /24, IPv6 /48). \
                                Off keeps no address at all." }</p>
                        </div>
                    </div>
                </section>
                <section class="card">
                    <h3>{ "Data and privacy" }</h3>
                    <dl class="readonly-facts">
                        <div>
                            <dt>{ "Data location" }</dt>
                            <dd>{ s.data_region.label() }</dd>
                        </div>
                    </dl>
                    <p class="hint">{ "Fixed when the workspace was created: it is part of the workspace id." }</p>
                    <Field id="ws-retention" label="Delete conversations after"
                        hint="Counted from a conversation's last message. Keeping less is kinder to your visitors.">
                        <select id="ws-retention" aria-describedby="ws-retention-policy ws-retention-hint"
                            onchange={field(&onedit, |d, v| d.settings.retention_days = forms::retention_from_value(&v))}>
                            { for forms::retention_options(s.retention_days).into_iter().map(|(value, label)| {
                                let selected = value == retention;
                                html! { <option {selected} {value}>{ label }</option> }
                            }) }
                        </select>
                    </Field>
                    <p class="policy" id="ws-retention-policy">{ forms::retention_policy(s.retention_days) }</p>
                    <p class="links">
                        <a href={format!("/privacy/{}", props.site)} target="_blank" rel="noopener">{ "Visitor privacy notice" }</a>
                        <a href={format!("/privacy/{}/record", props.site)} target="_blank" rel="noopener">{ "Record of processing" }</a>
                    </p>
                    <p class="hint">{ "Both are written from these settings and change when they do. Link the notice from your own privacy policy." }</p>
                </section>
                if !props.readonly {
                    <div class="save-bar">
                        <button type="submit" class="primary" disabled={*busy}>{ if *busy { "Saving…" } else { "Save settings" } }</button>
                        <SaveStatus status={(*status).clone()} />
                    </div>
                }
            </fieldset>
        </form>
    }
}
