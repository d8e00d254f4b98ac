//! What "Your data" shows, as a pure state machine: the edge's answers and the visitor's clicks
//! become [`DataEvent`]s, so every step is tested natively (`cargo test -p widget`).

use shared::api::ApiError;
use shared::ErrorCode;
use std::rc::Rc;
use yew::Reducible;

/// What the section shows of the edge's [`shared::privacy::DataSubject`]. The widget reads these
/// fields by name from the answer (a serde decoder for the whole subject costs the WASM more than
/// the section shows); the test below pins the names to the shared type.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Held {
    /// The edge knows the visitor (`visitor_id` is set); a token alone holds nothing.
    pub known: bool,
    pub name: String,
    pub email: String,
    pub restricted: bool,
    pub objected: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// Asking the edge what it holds.
    Loading,
    /// No token, or the edge no longer knows it (erased elsewhere): nothing to act on.
    NothingHeld,
    /// The edge could not answer: its message.
    Unavailable(String),
    Held(Held),
    /// The visitor erased their data from here.
    Erased,
}

/// Who asked: the section itself (the status), or one of its controls, beside which the answer
/// shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Status,
    Download,
    Details,
    Switches,
    Delete,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// The corrected details were saved (they show from what is held).
    Saved,
    /// The edge's message.
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct DataState {
    pub phase: Phase,
    pub notice: Option<(Part, Notice)>,
    /// "Delete my data" was clicked: the confirmation shows.
    pub confirming: bool,
    /// The erasure is on its way: "Delete everything" does nothing more.
    pub erasing: bool,
    /// What the edge last said it holds while switches are on their way: back to it if refused.
    pub undo: Option<Held>,
    /// Switch requests on their way. The answer to one is what the edge held when it got there;
    /// while a later one is still on its way, the switches keep showing what the visitor asked
    /// (a quick second click must not flick back when the first click's answer comes).
    pub switching: u32,
}

impl Default for DataState {
    fn default() -> Self {
        Self { phase: Phase::Loading, notice: None, confirming: false, erasing: false, undo: None, switching: 0 }
    }
}

#[derive(Debug, Clone)]
pub enum DataEvent {
    /// A request went out from `Part`: an earlier answer goes, and so does the confirmation
    /// unless this is the erasure it confirmed.
    Sent(Part),
    /// What the edge holds now: its answer to the status, a correction, a restriction or an
    /// objection.
    Held(Part, Held),
    /// "Pause processing" (`restrict`) or "Stop analytics" was switched: it shows at once.
    Switch {
        restrict: bool,
        on: bool,
    },
    Refused(Part, ApiError),
    AskErase,
    CancelErase,
    Erased,
}

impl DataState {
    pub fn next(mut self, event: DataEvent) -> Self {
        match event {
            // Nothing changes after the erasure: a late answer has no controls to show beside.
            _ if self.phase == Phase::Erased => {}
            DataEvent::Sent(part) => {
                if part == Part::Status {
                    self.phase = Phase::Loading;
                }
                self.notice = None;
                self.confirming &= part == Part::Delete;
                self.erasing = part == Part::Delete;
            }
            DataEvent::Held(Part::Status, held) if !held.known => self.phase = Phase::NothingHeld,
            DataEvent::Held(part, mut held) => {
                if part == Part::Switches {
                    self.switching = self.switching.saturating_sub(1);
                }
                // While a switch is still on its way, any answer keeps the switches as asked.
                if self.switching == 0 {
                    self.undo = None;
                } else if let Phase::Held(shown) = &self.phase {
                    self.undo = Some(held.clone());
                    (held.restricted, held.objected) = (shown.restricted, shown.objected);
                }
                self.phase = Phase::Held(held);
                self.notice = (part == Part::Details).then_some((part, Notice::Saved));
            }
            DataEvent::Switch { restrict, on } => {
                if let Phase::Held(held) = &mut self.phase {
                    if self.switching == 0 {
                        self.undo = Some(held.clone());
                    }
                    self.switching += 1;
                    *(if restrict { &mut held.restricted } else { &mut held.objected }) = on;
                }
            }
            DataEvent::Refused(Part::Status, e) if e.error == ErrorCode::Unauthorized => {
                self.phase = Phase::NothingHeld
            }
            DataEvent::Refused(Part::Status, e) => self.phase = Phase::Unavailable(e.message),
            DataEvent::Refused(part, e) => {
                self.notice = Some((part, Notice::Failed(e.message)));
                self.erasing = false;
                if part == Part::Switches {
                    // Back to what the edge last said; answers still on their way settle the rest.
                    self.switching = self.switching.saturating_sub(1);
                    if let Some(held) = &self.undo {
                        self.phase = Phase::Held(held.clone());
                    }
                    if self.switching == 0 {
                        self.undo = None;
                    }
                }
            }
            DataEvent::AskErase => {
                self.confirming = true;
                self.notice = None;
            }
            DataEvent::CancelErase => self.confirming = false,
            DataEvent::Erased => self = Self { phase: Phase::Erased, ..Self::default() },
        }
        self
    }

    /// The notice to show beside `part`, if any.
    pub fn notice(&self, part: Part) -> Option<&Notice> {
        self.notice.as_ref().filter(|(p, _)| *p == part).map(|(_, n)| n)
    }
}

impl Reducible for DataState {
    type Action = DataEvent;

    fn reduce(self: Rc<Self>, event: DataEvent) -> Rc<Self> {
        Rc::new((*self).clone().next(event))
    }
}

/// "Saved: NAME, EMAIL" from what the edge now holds.
pub fn saved_details(saved: &str, held: &Held) -> String {
    let parts: Vec<&str> = [held.name.as_str(), held.email.as_str()].into_iter().filter(|p| !p.is_empty()).collect();
    format!("{saved} {}", parts.join(", "))
}

/// A field of the correction form: `None` (leave it as it is) when empty.
pub fn field(value: &str) -> Option<String> {
    Some(value.trim()).filter(|v| !v.is_empty()).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::privacy::DataSubject;

    fn ana() -> Held {
        Held { known: true, name: "Ana".into(), email: "ana@example.com".into(), ..Held::default() }
    }

    fn error(error: ErrorCode, message: &str) -> ApiError {
        ApiError { error, message: message.into(), retry_after_s: None }
    }

    fn held() -> DataState {
        DataState::default().next(DataEvent::Sent(Part::Status)).next(DataEvent::Held(Part::Status, ana()))
    }

    #[test]
    fn the_fields_read_from_the_answer_are_the_subjects() {
        let json = serde_json::to_value(DataSubject::default()).unwrap();
        for name in ["visitor_id", "name", "email", "restricted", "objected"] {
            assert!(json.get(name).is_some(), "DataSubject has no {name:?}");
        }
    }

    #[test]
    fn the_status_says_what_is_held_or_that_nothing_is() {
        assert_eq!((held().phase, held().notice), (Phase::Held(ana()), None));
        let refused = DataState::default().next(DataEvent::Refused(Part::Status, error(ErrorCode::Unauthorized, "no")));
        assert_eq!(refused.phase, Phase::NothingHeld, "an unknown or erased token holds nothing");
        let unknown = DataState::default().next(DataEvent::Held(Part::Status, Held::default()));
        assert_eq!(unknown.phase, Phase::NothingHeld, "a token whose visitor the edge never saw holds nothing");
        let down = DataState::default().next(DataEvent::Refused(Part::Status, error(ErrorCode::Internal, "try later")));
        assert_eq!(down.phase, Phase::Unavailable("try later".into()));
        assert_eq!(down.next(DataEvent::Sent(Part::Status)).phase, Phase::Loading, "asked again");
    }

    #[test]
    fn answers_show_beside_the_control_that_asked() {
        let saved = held().next(DataEvent::Sent(Part::Details)).next(DataEvent::Held(Part::Details, ana()));
        assert_eq!(saved.notice(Part::Details), Some(&Notice::Saved));
        assert_eq!(saved.notice(Part::Switches), None);
        let refused = saved
            .next(DataEvent::Sent(Part::Details))
            .next(DataEvent::Refused(Part::Details, error(ErrorCode::InvalidInput, "bad email")));
        assert_eq!(refused.notice(Part::Details), Some(&Notice::Failed("bad email".into())));
        assert!(matches!(refused.phase, Phase::Held(_)), "a refusal keeps what is shown");
        // A switch saved says nothing (the switch shows it); a new request clears the old answer.
        let switched = refused.next(DataEvent::Sent(Part::Switches));
        assert_eq!(switched.notice, None);
        let objected = Held { objected: true, ..ana() };
        let switched = switched.next(DataEvent::Held(Part::Switches, objected.clone()));
        assert_eq!((switched.phase, switched.notice), (Phase::Held(objected), None));
    }

    #[test]
    fn a_switch_shows_at_once_and_goes_back_if_refused() {
        let on = held().next(DataEvent::Switch { restrict: true, on: true }).next(DataEvent::Sent(Part::Switches));
        assert_eq!(on.phase, Phase::Held(Held { restricted: true, ..ana() }));
        let refused = on.clone().next(DataEvent::Refused(Part::Switches, error(ErrorCode::Internal, "later")));
        assert_eq!(refused.phase, Phase::Held(ana()), "back to what the edge holds");
        assert_eq!(refused.notice(Part::Switches), Some(&Notice::Failed("later".into())));
        let answered = on.next(DataEvent::Held(Part::Switches, Held { restricted: true, ..ana() }));
        assert_eq!(answered.undo, None);
        let objected = answered.next(DataEvent::Switch { restrict: false, on: true });
        assert_eq!(objected.phase, Phase::Held(Held { restricted: true, objected: true, ..ana() }));
    }

    #[test]
    fn a_quick_second_switch_does_not_flick_back_when_the_first_is_answered() {
        // Stop analytics, then Pause processing before the first answer: the edge's answer to the
        // first knows nothing of the second yet.
        let both = held()
            .next(DataEvent::Switch { restrict: false, on: true })
            .next(DataEvent::Sent(Part::Switches))
            .next(DataEvent::Switch { restrict: true, on: true })
            .next(DataEvent::Sent(Part::Switches));
        let asked = Held { restricted: true, objected: true, ..ana() };
        let first = both.next(DataEvent::Held(Part::Switches, Held { objected: true, ..ana() }));
        assert_eq!(first.phase, Phase::Held(asked.clone()), "both still show as asked");
        // The second refused: back to what the edge said last (the first switch, saved).
        let refused = first.clone().next(DataEvent::Refused(Part::Switches, error(ErrorCode::Internal, "later")));
        assert_eq!(refused.phase, Phase::Held(Held { objected: true, ..ana() }));
        assert_eq!((refused.switching, refused.undo), (0, None));
        // A correction answered meanwhile keeps the switches as asked too.
        let corrected = first.clone().next(DataEvent::Held(Part::Details, Held { name: "Bea".into(), ..ana() }));
        assert_eq!(corrected.phase, Phase::Held(Held { name: "Bea".into(), ..asked.clone() }));
        // The second answered: what the edge holds, both on.
        let second = first.next(DataEvent::Held(Part::Switches, asked.clone()));
        assert_eq!((second.phase, second.switching, second.undo), (Phase::Held(asked), 0, None));
    }

    #[test]
    fn deleting_asks_first_and_can_be_cancelled() {
        let asked = held().next(DataEvent::AskErase);
        assert!(asked.confirming);
        assert!(!asked.clone().next(DataEvent::CancelErase).confirming);
        // Another request closes the confirmation; the erasure's own does not.
        assert!(!asked.clone().next(DataEvent::Sent(Part::Download)).confirming);
        let erasing = asked.next(DataEvent::Sent(Part::Delete));
        assert!(erasing.confirming && erasing.erasing);
        let failed = erasing.clone().next(DataEvent::Refused(Part::Delete, error(ErrorCode::Internal, "later")));
        assert!(!failed.erasing, "a failed erasure can be tried again");
        assert_eq!(failed.notice(Part::Delete), Some(&Notice::Failed("later".into())));
        let erased = erasing.next(DataEvent::Erased);
        assert_eq!((erased.phase.clone(), erased.confirming, erased.erasing), (Phase::Erased, false, false));
        // A late answer (a second click's 401) does not bring the controls back.
        let late = erased.next(DataEvent::Refused(Part::Delete, error(ErrorCode::Unauthorized, "gone")));
        assert_eq!((late.phase, late.notice), (Phase::Erased, None));
    }

    #[test]
    fn corrections_send_only_what_was_filled_in() {
        assert_eq!(field("  Ana "), Some("Ana".into()));
        assert_eq!(field("   "), None);
        assert_eq!(saved_details("Saved:", &ana()), "Saved: Ana, ana@example.com");
        let email_only = Held { name: String::new(), ..ana() };
        assert_eq!(saved_details("Saved:", &email_only), "Saved: ana@example.com");
    }
}
