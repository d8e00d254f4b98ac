//! The two steps of a data request that ask for more than a click: correcting the visitor's
//! details, and confirming an erasure.

use super::field::Field;
use crate::data_requests::{correction, counted};
use shared::privacy::{DataAction, DataSubject};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CorrectFormProps {
    /// The visitor id, for unique field ids.
    pub id: AttrValue,
    pub subject: DataSubject,
    pub busy: bool,
    /// The correction to send (only what changed).
    pub onsave: Callback<DataAction>,
    pub oncancel: Callback<MouseEvent>,
}

/// "Correct details": name and email, starting from what is held, checked as the edge checks
/// them so a mistake is shown beside the fields.
#[function_component(CorrectForm)]
pub fn correct_form(props: &CorrectFormProps) -> Html {
    let name = use_state(|| props.subject.name.clone().unwrap_or_default());
    let email = use_state(|| props.subject.email.as_ref().map(ToString::to_string).unwrap_or_default());
    let error = use_state(|| None::<String>);
    let first = use_node_ref();
    {
        // The first field takes the focus: the button that opened the form is gone.
        let first = first.clone();
        use_effect_with((), move |_| {
            if let Some(input) = first.cast::<web_sys::HtmlElement>() {
                let _ = input.focus();
            }
        });
    }
    let onsubmit = {
        let (name, email, error, subject, onsave) =
            (name.clone(), email.clone(), error.clone(), props.subject.clone(), props.onsave.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match correction(&name, &email, &subject) {
                Ok(Some(action)) => {
                    error.set(None);
                    onsave.emit(action);
                }
                Ok(None) => error.set(Some("Nothing changed: edit the name or the email first.".into())),
                Err(message) => error.set(Some(message)),
            }
        })
    };
    let input = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |e: InputEvent| state.set(crate::browser::value(&e)))
    };
    let (name_id, email_id, error_id) = (
        format!("correct-name-{}", props.id),
        format!("correct-email-{}", props.id),
        format!("correct-error-{}", props.id),
    );
    let described = error.is_some().then(|| error_id.clone());
    html! {
        <form class="subject-form" aria-label="Correct details" {onsubmit} novalidate=true>
            <div class="grid">
                <Field id={name_id.clone()} label="Name">
                    <input id={name_id} ref={first} value={(*name).clone()} oninput={input(&name)} autocomplete="off" maxlength="80"
                        aria-describedby={described.clone()} />
                </Field>
                <Field id={email_id.clone()} label="Email">
                    <input id={email_id} type="email" value={(*email).clone()} oninput={input(&email)} autocomplete="off" spellcheck="false"
                        aria-describedby={described} />
                </Field>
            </div>
            if let Some(message) = &*error {
                <p id={error_id} class="error" role="alert">{ message }</p>
            }
            <div class="actions">
                <button type="submit" class="primary" disabled={props.busy}>{ if props.busy { "Saving…" } else { "Save details" } }</button>
                <button type="button" class="secondary" onclick={props.oncancel.clone()}>{ "Cancel" }</button>
            </div>
        </form>
    }
}

#[derive(Properties, PartialEq)]
pub struct EraseConfirmProps {
    pub id: AttrValue,
    /// The visitor as the card names them.
    pub title: AttrValue,
    pub conversations: u32,
    pub busy: bool,
    pub onconfirm: Callback<()>,
    pub oncancel: Callback<MouseEvent>,
}

/// The step before an erasure: what goes, that it cannot be undone, and a button that says
/// "permanently". The question takes the focus, so it is read before either button.
#[function_component(EraseConfirm)]
pub fn erase_confirm(props: &EraseConfirmProps) -> Html {
    let heading = use_node_ref();
    {
        let heading = heading.clone();
        use_effect_with((), move |_| {
            if let Some(h) = heading.cast::<web_sys::HtmlElement>() {
                let _ = h.focus();
            }
        });
    }
    let heading_id = format!("erase-{}", props.id);
    let text_id = format!("erase-text-{}", props.id);
    let onconfirm = props.onconfirm.reform(|_: MouseEvent| ());
    html! {
        <section class="erase-confirm" role="group" aria-labelledby={heading_id.clone()} aria-describedby={text_id.clone()}>
            <h4 id={heading_id} ref={heading} tabindex="-1">{ format!("Erase all data about {}?", props.title) }</h4>
            <div id={text_id}>
                <p>{ format!("This deletes their profile, consent history, page activity and {} — every message and private note — \
                    from the inbox and from search. If they are chatting now, their chat is closed and their browser's visitor token \
                    stops working.", counted(props.conversations, "conversation", "conversations")) }</p>
                <p><strong>{ "This cannot be undone." }</strong>{ " The history keeps only that an erasure happened, by whom and when, \
                    with a reference that cannot be traced back to them." }</p>
            </div>
            <div class="actions">
                <button type="button" class="danger-solid" disabled={props.busy} onclick={onconfirm}>
                    { if props.busy { "Erasing…" } else { "Erase permanently" } }
                </button>
                <button type="button" class="secondary" disabled={props.busy} onclick={props.oncancel.clone()}>{ "Cancel" }</button>
            </div>
        </section>
    }
}
