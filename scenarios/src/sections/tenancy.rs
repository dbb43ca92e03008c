//! "Customers see another customer's tickets": every call scoped by the
//! signed identity, within its tenant.

use crate::requirement::{Level::*, Requirement, Section, Surface::*};
use crate::scenario::Scenario;

pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "TENANT-SCOPED-BY-IDENTITY",
        section: Section::Tenancy,
        level: Must,
        text: "Every ticket API call returns only the signed identity's tickets: one user's ticket text never reaches another user, in the portal or in any API response.",
        source: "This should never happen. Every API call inside the portal is scoped by the signed identity.",
        surfaces: &[RenderedText, HttpStatus],
    },
    Requirement {
        id: "TENANT-NO-FOREIGN-OBJECTS",
        section: Section::Tenancy,
        level: Must,
        text: "A ticket of another identity, requested by its ID with one's own session, is refused (404) and none of its data is returned.",
        source: "Every API call inside the portal is scoped by the signed identity.",
        surfaces: &[HttpStatus],
    },
    Requirement {
        id: "TENANT-ISOLATION",
        section: Section::Tenancy,
        level: Must,
        text: "Identities are scoped within their tenant: the same `externalUserId` in two tenants is two users who never see each other's tickets.",
        source: "Customers see another customer's tickets",
        surfaces: &[HttpStatus, RenderedText],
    },
    Requirement {
        id: "TENANT-NO-HMAC-REUSE",
        section: Section::Tenancy,
        level: Must,
        text: "An HMAC valid for one user's payload is refused with any other user's payload: a signature is bound to its exact string.",
        source: "Confirm you're not reusing the same HMAC across users (re-sign per request).",
        surfaces: &[SdkEvent, HttpStatus],
    },
    Requirement {
        id: "TENANT-UNIQUE-IDENTIFIER",
        section: Section::Tenancy,
        level: Must,
        text: "A payload with no non-empty `externalUserId`, `email` or `phone` is refused with `invalid_payload`; a payload with any one of them is accepted.",
        source: "Make sure the user payload contains a unique identifier (externalUserId, email, or phone).",
        surfaces: &[SdkEvent, HttpStatus],
    },
    Requirement {
        id: "TENANT-PRIVATE-CACHING",
        section: Section::Tenancy,
        level: Must,
        text: "Per-user API responses carry `Cache-Control: no-store` or `private`, so no shared cache can serve one user's tickets to another.",
        source: "Every API call inside the portal is scoped by the signed identity.",
        surfaces: &[HttpHeader],
    },
];

pub fn scenarios() -> Vec<Scenario> {
    Vec::new()
}
