use super::composer::Suggestion;
use yew::prelude::*;

/// The id of the listbox, which the message box points at with `aria-controls`.
pub const LIST_ID: &str = "pvx-suggestions";

/// The id of option `i`, for the message box's `aria-activedescendant`.
pub fn option_id(i: usize) -> String {
    format!("pvx-suggestion-{i}")
}

#[derive(Properties, PartialEq)]
pub struct SuggestionListProps {
    /// The listbox's accessible name.
    pub label: AttrValue,
    pub suggestions: Vec<Suggestion>,
    /// The highlighted option (moved with the arrow keys in the message box).
    pub active: usize,
    pub onpick: Callback<Suggestion>,
}

/// The suggestions matching what follows the `/`, as a listbox over the message box. The focus
/// stays in the message box (it names the highlighted option), so typing goes on while the list
/// narrows.
#[function_component(SuggestionList)]
pub fn suggestion_list(props: &SuggestionListProps) -> Html {
    html! {
        <ul class="pvx-suggestions" id={LIST_ID} role="listbox" aria-label={props.label.clone()}>
            { for props.suggestions.iter().enumerate().map(|(i, suggestion)| {
                let selected = i == props.active;
                let onclick = {
                    let (onpick, suggestion) = (props.onpick.clone(), suggestion.clone());
                    Callback::from(move |_: MouseEvent| onpick.emit(suggestion.clone()))
                };
                // Keep the focus in the message box when the option is clicked.
                let onmousedown = Callback::from(|e: MouseEvent| e.prevent_default());
                html! {
                    <li id={option_id(i)} role="option" aria-selected={selected.to_string()}
                        class={classes!(selected.then_some("active"))} {onclick} {onmousedown}>
                        <span class="shortcut">{ suggestion.shortcut.clone() }</span>{ " " }
                        <span class="text">{ suggestion.text.clone() }</span>
                    </li>
                }
            }) }
        </ul>
    }
}
