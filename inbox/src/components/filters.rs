use crate::inbox_state::{Filter, InboxAction, InboxContext};
use yew::prelude::*;

/// The list's filters as a row of toggle buttons (the pressed one is the current filter), so
/// each is one Tab stop away and a screen reader says which is on.
#[function_component(Filters)]
pub fn filters() -> Html {
    let Some(inbox) = use_context::<InboxContext>() else { return Html::default() };
    html! {
        <div class="filters" role="group" aria-label="Filter">
            { for Filter::ALL.into_iter().map(|filter| {
                let onclick = {
                    let inbox = inbox.clone();
                    Callback::from(move |_: MouseEvent| inbox.dispatch(InboxAction::Filter(filter)))
                };
                html! {
                    <button type="button" aria-pressed={(inbox.filter == filter).to_string()} {onclick}>
                        { filter.label() }
                    </button>
                }
            }) }
        </div>
    }
}
