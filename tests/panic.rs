//! A panic inside an action must never cross the C ABI: the host gets a failure status, keeps
//! running, and the next render works. Its own test binary: it sets the injection variable.

mod common;

use common::{assert_clean, face_blend, graded, plain, plate, to_host};
use doppel_host::{Clips, HostProfile};

#[test]
fn panic_in_render_is_contained_and_reported() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let source = to_host(&plate(32, 32, 0));
    let clips = Clips::new()
        .with("Source", source.clone())
        .with("Face", to_host(&graded(&plate(32, 32, 0))));
    let instance = face_blend(HostProfile::Nuke, clips);

    std::env::set_var("DOPPEL_TEST_PANIC_IN", "OfxImageEffectActionRender");
    let failure = instance
        .render(1.0, &plain())
        .expect_err("a forced panic must fail the render");
    std::env::remove_var("DOPPEL_TEST_PANIC_IN");
    assert_eq!(failure.status, 1, "kOfxStatFailed expected, got {failure}");
    let (_, text) = instance.persistent_message().expect("the user is told");
    assert!(text.contains("internal error"), "{text}");

    // The host survived, and the next good render clears the message.
    instance
        .render(1.0, &plain())
        .expect("render after the panic");
    assert_eq!(instance.persistent_message(), None);
    assert_clean(&instance);
}

#[test]
fn panic_in_create_instance_fails_that_instance_only() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    std::env::set_var("DOPPEL_TEST_PANIC_IN", "OfxActionCreateInstance");
    let clips = Clips::new().with("Source", to_host(&plate(8, 8, 0)));
    let created = common::host(HostProfile::Resolve).create_instance(
        common::FACE_BLEND,
        common::GENERAL,
        clips,
    );
    std::env::remove_var("DOPPEL_TEST_PANIC_IN");
    assert!(created.is_err(), "a panic in CreateInstance must fail it");
    let clips = Clips::new().with("Source", to_host(&plate(8, 8, 0)));
    common::host(HostProfile::Resolve)
        .create_instance(common::FACE_BLEND, common::GENERAL, clips)
        .expect("the host goes on creating instances");
}

static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());
