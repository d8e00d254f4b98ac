use yew::prelude::*;

/// How a save ended: `Ok` with the confirmation to show, `Err` with the edge's message.
pub type Outcome = Option<Result<String, String>>;

#[derive(Properties, PartialEq)]
pub struct SaveStatusProps {
    pub status: Outcome,
}

/// A confirmation as a polite status, a refusal as an alert, nothing before the first save.
/// Rendered only when there is something to say, so each page has one status or alert at a time.
#[function_component(SaveStatus)]
pub fn save_status(props: &SaveStatusProps) -> Html {
    match &props.status {
        None => html! {},
        Some(Ok(text)) => html! { <span class="saved" role="status">{ text }</span> },
        Some(Err(message)) => html! { <p class="error" role="alert">{ message }</p> },
    }
}
