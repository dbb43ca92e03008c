//! The one stream of typed events a run emits. Scenarios' probes and the
//! runner send into an [`EventSink`]; one dispatcher task hands every
//! event, in order, to the run's outputs (`reports::RunOutputs`: the
//! redacting edge, then the record, `events.jsonl` and the terminal
//! progress, each a `reports::Reporter`).

use reports::event::{Event, EvidenceItem};
use reports::Reporter;
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

/// Drain `rx` into `outputs` until the stream ends (every sink dropped);
/// returns them for `finish`. A write error is kept by the outputs and
/// returned by their `finish`, so one failing output stops none.
pub async fn dispatch<R: Reporter>(mut rx: mpsc::UnboundedReceiver<Event>, mut outputs: R) -> R {
    while let Some(event) = rx.recv().await {
        let _ = outputs.on_event(&event);
    }
    outputs
}
