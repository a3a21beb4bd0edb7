//! The whole action sequence a host sends, from Load to Unload, with nothing leaked or misused.
//! Its own test binary: it unloads the plugin, which no other test may see.

mod common;

use std::sync::Arc;

use common::{assert_clean, bundle, graded, plain, plate, to_host, FACE_BLEND, GENERAL};
use doppel_host::{Clips, Host, HostProfile, ParamValue};

#[test]
fn load_describe_instances_render_purge_destroy_unload() {
    for profile in [HostProfile::Resolve, HostProfile::Nuke] {
        let host = Host::load(&bundle(), profile).expect("load");
        host.describe(FACE_BLEND).expect("describe");
        let source = to_host(&plate(64, 48, 0));
        let face = to_host(&graded(&plate(64, 48, 0)));
        let clips = || {
            Clips::new()
                .with("Source", source.clone())
                .with("Face", face.clone())
        };
        // Two instances at once, with different settings, as Resolve keeps several per clip.
        let a = Arc::new(
            host.create_instance(FACE_BLEND, GENERAL, clips())
                .expect("instance a"),
        );
        let b = host
            .create_instance(FACE_BLEND, GENERAL, clips())
            .expect("instance b");
        a.set_value("maskSource", ParamValue::Choice(2)).unwrap();
        b.set_value("mix", ParamValue::Double(0.5)).unwrap();
        let frames: Vec<f64> = (0..4).map(f64::from).collect();
        for result in a
            .render_sequence(&frames, &plain())
            .into_iter()
            .chain(b.render_sequence(&frames, &plain()))
        {
            let image = result.expect("render");
            assert_eq!((image.width, image.height), (64, 48));
        }
        a.purge_caches();
        assert_clean(&a);
        assert_clean(&b);
        assert_eq!(a.persistent_message(), None);
        drop(b);
        drop(Arc::try_unwrap(a).ok().expect("sole owner"));
        let violations = host.violations();
        assert!(violations.is_empty(), "{profile:?}: {violations:#?}");
        drop(host); // Unload
    }
}
