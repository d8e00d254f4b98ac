use super::{field::Field, settings_form::field};
use crate::forms::{self, DAYS};
use crate::settings_draft::{Draft, Edit};
use shared::api::BusinessHours;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct BusinessHoursProps {
    /// `None`: open whenever an agent is online.
    pub hours: Option<BusinessHours>,
    pub onedit: Callback<Edit>,
}

/// Opening hours, off by default. Outside them the widget shows the offline message even if an
/// agent happens to be online, which is what a small team wants in the evening.
#[function_component(BusinessHoursEditor)]
pub fn business_hours_editor(props: &BusinessHoursProps) -> Html {
    let ontoggle = {
        let onedit = props.onedit.clone();
        Callback::from(move |e: Event| {
            let on = crate::browser::checked(&e);
            onedit.emit(Edit::new(move |d| {
                d.set_hours_enabled(on, || forms::default_hours(crate::browser::time_zone()))
            }));
        })
    };
    let day = |index: u8, label: &'static str, hours: &BusinessHours| {
        let onedit = props.onedit.clone();
        let onchange = Callback::from(move |e: Event| {
            let on = crate::browser::checked(&e);
            onedit.emit(Edit::new(move |d| {
                if let Some(h) = d.settings.business_hours.as_mut() {
                    h.days = forms::toggle_day(&h.days, index, on);
                }
            }));
        });
        html! {
            <label class="day">
                <input type="checkbox" checked={hours.days.contains(&index)} {onchange} />
                <span>{ label }</span>
            </label>
        }
    };
    html! {
        <div class="hours">
            <label class="check">
                <input type="checkbox" checked={props.hours.is_some()} onchange={ontoggle} />
                <span>{ "Set business hours" }</span>
            </label>
            { match &props.hours {
                None => html! { <p class="hint">{ "Without hours, the chat is open whenever someone on the team is online." }</p> },
                Some(h) => html! {
                    <div class="hours-detail">
                        <div class="grid">
                            <Field id="bh-zone" label="Time zone" hint="As in Europe/Berlin or America/New_York.">
                                <input id="bh-zone" aria-describedby="bh-zone-hint" value={h.time_zone.clone()} spellcheck="false"
                                    oninput={field(&props.onedit, |d, v| set(d, |h| h.time_zone = v))} />
                            </Field>
                            <Field id="bh-open" label="Opens">
                                <input id="bh-open" type="time" value={forms::minutes_to_hhmm(h.open)}
                                    oninput={field(&props.onedit, |d, v| set(d, |h| h.open = forms::hhmm_to_minutes(&v).unwrap_or(h.open)))} />
                            </Field>
                            <Field id="bh-close" label="Closes">
                                <input id="bh-close" type="time" value={forms::minutes_to_hhmm(h.close)}
                                    oninput={field(&props.onedit, |d, v| set(d, |h| h.close = forms::hhmm_to_minutes(&v).unwrap_or(h.close)))} />
                            </Field>
                        </div>
                        <fieldset class="days">
                            <legend class="label">{ "Days" }</legend>
                            { for DAYS.iter().zip(0u8..).map(|(label, i)| day(i, label, h)) }
                        </fieldset>
                    </div>
                },
            } }
        </div>
    }
}

/// Changes the draft's hours, if it has any (the box may have been unticked meanwhile).
fn set(d: &mut Draft, change: impl FnOnce(&mut BusinessHours)) {
    if let Some(h) = d.settings.business_hours.as_mut() {
        change(h);
    }
}
