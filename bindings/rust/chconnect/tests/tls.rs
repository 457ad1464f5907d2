//! HTTPS against the test server: its CA verifies, another CA fails with a TLS error,
//! verify=0 connects without a CA.

mod common;

use chconnect::{Client, Status, Value};
use common::env;

fn https(options: &[(&str, &str)]) -> chconnect::Result<Client> {
    Client::open_with(&env("CHC_TEST_HTTPS_URL"), options)
}

#[test]
fn https_with_the_servers_ca_verifies() {
    let ca = env("CHC_TEST_CA");
    let c = https(&[("ca_cert", ca.as_str())]).expect("open");
    c.ping().expect("ping over https");
    let got = c.query("SELECT 'tls' AS s, 1 + 1 AS n").and_then(|r| r.into_values()).expect("query over https");
    assert_eq!(got, vec![vec![Value::from("tls"), Value::UInt(2)]]);
    assert_eq!(c.command("SELECT 3").expect("command over https").text(), "3");
}

#[test]
fn https_with_another_ca_is_a_tls_error() {
    let other = env("CHC_TEST_OTHER_CA");
    let c = https(&[("ca_cert", other.as_str())]).expect("open");
    let e = c.ping().expect_err("untrusted certificate must fail");
    assert_eq!(e.status(), Status::Tls, "{e}");
    let e = c.query("SELECT 1").expect_err("untrusted certificate must fail");
    assert_eq!(e.status(), Status::Tls, "{e}");
    assert!(!format!("{e:?}").contains(&env("CHC_TEST_PASSWORD")), "{e:?}");
}

#[test]
fn https_without_verification_connects() {
    let c = https(&[("verify", "0")]).expect("open");
    c.ping().expect("ping with verify=0");
    assert_eq!(c.command("SELECT 'ok'").expect("command").text(), "ok");
}

#[test]
fn https_from_config_keys() {
    let ca = env("CHC_TEST_CA");
    let c = Client::from_config(&[
        ("host", "localhost"),
        ("port", env("CHC_TEST_HTTPS_PORT").as_str()),
        ("username", env("CHC_TEST_USER").as_str()),
        ("password", env("CHC_TEST_PASSWORD").as_str()),
        ("secure", "1"),
        ("ca_cert", ca.as_str()),
    ])
    .expect("open");
    assert_eq!(c.command("SELECT 9").expect("command").text(), "9");
}
