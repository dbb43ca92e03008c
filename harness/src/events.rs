//! The one stream of typed events a run emits. Scenarios' probes and the
//! runner send into an [`EventSink`]; one dispatcher task hands every
//! event, in order, to each consumer (terminal progress, report files).

use reports::event::{Event, EvidenceItem};
use tokio::sync::mpsc;

/// Where events go. Cheap to clone; sending never blocks.
#[derive(Clone)]
pub struct EventSink {
    tx: mpsc::UnboundedSender<Event>,
}

impl EventSink {
    pub fn channel() -> (EventSink, mpsc::UnboundedReceiver<Event>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (EventSink { tx }, rx)
    }

    pub fn send(&self, event: Event) {
        // A closed receiver means the run is being torn down: nothing to keep.
        let _ = self.tx.send(event);
    }

    pub fn evidence(&self, scenario_id: &str, item: EvidenceItem) {
        self.send(Event::EvidenceCaptured {
            id: scenario_id.to_string(),
            item,
        });
    }
}

/// A consumer of the event stream.
pub trait Consumer: Send {
    fn on_event(&mut self, event: &Event);
}

/// Drain `rx` into every consumer until the stream ends.
pub async fn dispatch(
    mut rx: mpsc::UnboundedReceiver<Event>,
    mut consumers: Vec<Box<dyn Consumer>>,
) -> Vec<Box<dyn Consumer>> {
    while let Some(event) = rx.recv().await {
        for consumer in consumers.iter_mut() {
            consumer.on_event(&event);
        }
    }
    consumers
}
