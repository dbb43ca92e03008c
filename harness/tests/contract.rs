//! CONTRACT.md quotes the harness's limits from `scenarios::contract::wire`,
//! which cannot see the harness crate: this test holds the two together.

use std::time::Duration;

use harness::run::limits::*;

#[test]
fn the_contract_quotes_the_harness_limits() {
    let secs = |d: Duration| format!("{} s", d.as_secs());
    let ours = [
        ("harness::run::limits::CONNECT", secs(CONNECT)),
        ("harness::run::limits::TLS_HANDSHAKE", secs(TLS_HANDSHAKE)),
        ("harness::run::limits::FIRST_BYTE", secs(FIRST_BYTE)),
        ("harness::run::limits::EXCHANGE", secs(EXCHANGE)),
        (
            "harness::run::limits::BODY_BYTES",
            format!("{BODY_BYTES} bytes"),
        ),
        ("harness::run::limits::PAGE_LOAD", secs(PAGE_LOAD)),
    ];
    let quoted = scenarios::contract::wire::limits();
    for (constant, value) in ours {
        let limit = quoted
            .iter()
            .find(|l| l.constant == constant)
            .unwrap_or_else(|| panic!("CONTRACT.md does not quote {constant}"));
        assert_eq!(
            limit.value, value,
            "{constant}: update scenarios/src/contract/wire.rs, then bless CONTRACT.md"
        );
    }
}
