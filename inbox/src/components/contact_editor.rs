use crate::visitor_text::contact_change_to_send;
use shared::Email;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ContactEditorProps {
    /// The contact details as known now: the form starts from them.
    pub name: Option<String>,
    pub email: Option<Email>,
    /// The changed fields, validated; `None` for a field that stays as it is.
    pub onsave: Callback<(Option<String>, Option<String>)>,
    /// Whether the conversation socket is connected (changes wait for it otherwise).
    pub online: bool,
}

/// "Edit contact": the visitor's name and email, corrected by an agent (a typo in the pre-chat
/// form, an address given in a message). Checked here as the edge checks it, so a mistake is
/// shown beside the fields instead of being refused silently over the socket.
#[function_component(ContactEditor)]
pub fn contact_editor(props: &ContactEditorProps) -> Html {
    let open = use_state(|| false);
    let name = use_state(String::new);
    let email = use_state(String::new);
    let error = use_state(|| None::<String>);
    let name_ref = use_node_ref();
    let button_ref = use_node_ref();
    let onedit = {
        let (open, name, email, error) = (open.clone(), name.clone(), email.clone(), error.clone());
        let (current_name, current_email) = (props.name.clone(), props.email.clone());
        Callback::from(move |_: MouseEvent| {
            name.set(current_name.clone().unwrap_or_default());
            email.set(current_email.as_ref().map(Email::to_string).unwrap_or_default());
            error.set(None);
            open.set(true);
        })
    };
    // The first field takes the focus when the form opens, and the button gets it back when the
    // form closes, so a keyboard user stays where they were.
    // Not on the first render: opening a conversation must not move the focus here.
    let was_open = use_mut_ref(|| false);
    {
        let (name_ref, button_ref) = (name_ref.clone(), button_ref.clone());
        use_effect_with(*open, move |open| {
            let changed = *was_open.borrow() != *open;
            *was_open.borrow_mut() = *open;
            let target = if *open { name_ref } else { button_ref };
            if let Some(el) = target.cast::<web_sys::HtmlElement>().filter(|_| changed) {
                let _ = el.focus();
            }
        });
    }
    let oncancel = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(false))
    };
    let onsubmit = {
        let (open, name, email, error, onsave) =
            (open.clone(), name.clone(), email.clone(), error.clone(), props.onsave.clone());
        let (current_name, current_email) = (props.name.clone(), props.email.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match contact_change_to_send(&name, &email, current_name.as_deref(), current_email.as_ref()) {
                Err(message) => error.set(Some(message)),
                Ok(change) => {
                    if change != (None, None) {
                        onsave.emit(change);
                    }
                    open.set(false);
                }
            }
        })
    };
    let input = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |e: InputEvent| state.set(crate::browser::value(&e)))
    };
    if !*open {
        return html! {
            <button type="button" class="secondary small edit-contact" ref={button_ref} onclick={onedit}>{ "Edit contact" }</button>
        };
    }
    let described = error.is_some().then_some("contact-error");
    html! {
        <form class="contact-editor" aria-label="Edit contact" {onsubmit} novalidate=true>
            <label for="contact-name">{ "Name" }</label>
            <input id="contact-name" ref={name_ref} value={(*name).clone()} oninput={input(&name)} autocomplete="off" maxlength="80"
                aria-describedby={described} />
            <label for="contact-email">{ "Email" }</label>
            <input id="contact-email" type="email" value={(*email).clone()} oninput={input(&email)} autocomplete="off" spellcheck="false"
                aria-describedby={described} />
            if let Some(message) = &*error {
                <p id="contact-error" class="error" role="alert">{ message }</p>
            }
            if !props.online {
                <p class="hint">{ "Offline: the change is sent once the conversation reconnects." }</p>
            }
            <div class="actions">
                <button type="submit" class="primary small">{ "Save contact" }</button>
                <button type="button" class="secondary small" onclick={oncancel}>{ "Cancel" }</button>
            </div>
        </form>
    }
}
