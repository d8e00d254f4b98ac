use super::field::Field;
use crate::forms;
use crate::settings_draft::Edit;
use shared::api::CannedResponse;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SavedRepliesEditorProps {
    pub replies: Vec<CannedResponse>,
    pub onedit: Callback<Edit>,
}

/// Saved replies: agents type `/` and the shortcut in the composer to insert the text. Added and
/// removed in the draft; "Save settings" stores them with the rest.
#[function_component(SavedRepliesEditor)]
pub fn saved_replies_editor(props: &SavedRepliesEditorProps) -> Html {
    let shortcut = use_state(String::new);
    let text = use_state(String::new);
    let error = use_state(|| None::<String>);
    let add = {
        let (shortcut, text, error, replies, onedit) =
            (shortcut.clone(), text.clone(), error.clone(), props.replies.clone(), props.onedit.clone());
        Callback::from(move |()| match forms::add_saved_reply(&replies, &shortcut, &text) {
            Ok(next) => {
                onedit.emit(Edit::new(move |d| d.settings.canned_responses = next));
                shortcut.set(String::new());
                text.set(String::new());
                error.set(None);
            }
            Err(message) => error.set(Some(message)),
        })
    };
    // Enter in the shortcut box adds the reply rather than submitting the whole settings form.
    let onkeydown = {
        let add = add.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                e.prevent_default();
                add.emit(());
            }
        })
    };
    let onclick = add.reform(|_: MouseEvent| ());
    let remove = |index: usize| {
        let onedit = props.onedit.clone();
        Callback::from(move |_: MouseEvent| {
            onedit.emit(Edit::new(move |d| {
                if index < d.settings.canned_responses.len() {
                    d.settings.canned_responses.remove(index);
                }
            }))
        })
    };
    let input = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |e: InputEvent| state.set(crate::browser::value(&e)))
    };
    html! {
        <div class="reply-editor">
            if props.replies.is_empty() {
                <p class="hint">{ "No saved replies yet. Add answers you give often, such as opening hours or shipping times." }</p>
            } else {
                <ul class="replies">
                    { for props.replies.iter().enumerate().map(|(i, r)| html! {
                        <li>
                            <code>{ format!("/{}", r.shortcut) }</code>
                            <span class="text">{ &r.text }</span>
                            <button type="button" class="ghost" aria-label={format!("Remove /{}", r.shortcut)} onclick={remove(i)}>{ "Remove" }</button>
                        </li>
                    }) }
                </ul>
            }
            <div class="add-reply">
                <Field id="sr-shortcut" label="Shortcut">
                    <span class="prefixed"><span aria-hidden="true">{ "/" }</span>
                        <input id="sr-shortcut" value={(*shortcut).clone()} oninput={input(&shortcut)} {onkeydown} placeholder="hours" spellcheck="false" /></span>
                </Field>
                <Field id="sr-text" label="Reply text">
                    <textarea id="sr-text" rows="2" value={(*text).clone()} oninput={input(&text)} placeholder="We're here Monday to Friday, 9 to 5." />
                </Field>
                <button type="button" class="secondary" {onclick}>{ "Add saved reply" }</button>
            </div>
            if let Some(message) = &*error {
                <p class="error" role="alert">{ message }</p>
            }
        </div>
    }
}
