use shared::api::CannedResponse;
use yew::prelude::*;

/// The id of the listbox, which the message box points at with `aria-controls`.
pub const LIST_ID: &str = "saved-replies";

/// The id of option `i`, for the message box's `aria-activedescendant`.
pub fn option_id(i: usize) -> String {
    format!("saved-reply-{i}")
}

#[derive(Properties, PartialEq)]
pub struct SavedReplyPickerProps {
    pub replies: Vec<CannedResponse>,
    /// The highlighted option (moved with the arrow keys in the message box).
    pub active: usize,
    pub onpick: Callback<CannedResponse>,
}

/// The saved replies matching what follows the `/`, as a listbox under the message box. The
/// focus stays in the message box (it names the highlighted option), so typing goes on while
/// the list narrows.
#[function_component(SavedReplyPicker)]
pub fn saved_reply_picker(props: &SavedReplyPickerProps) -> Html {
    html! {
        <ul class="saved-replies" id={LIST_ID} role="listbox" aria-label="Saved replies">
            { for props.replies.iter().enumerate().map(|(i, reply)| {
                let selected = i == props.active;
                let onclick = {
                    let (onpick, reply) = (props.onpick.clone(), reply.clone());
                    Callback::from(move |_: MouseEvent| onpick.emit(reply.clone()))
                };
                // Keep the focus in the message box when the option is clicked.
                let onmousedown = Callback::from(|e: MouseEvent| e.prevent_default());
                html! {
                    <li id={option_id(i)} role="option" aria-selected={selected.to_string()}
                        class={classes!(selected.then_some("active"))} {onclick} {onmousedown}>
                        <span class="shortcut">{ format!("/{}", reply.shortcut.trim_start_matches('/')) }</span>{ " " }
                        <span class="text">{ &reply.text }</span>
                    </li>
                }
            }) }
        </ul>
    }
}
