//! Unit tests of the property store: types, dimensions and error statuses.

use super::*;

fn set() -> PropertySet {
    let mut s = PropertySet::closed();
    s.define("i", Values::Int(vec![1, 2]), false, false);
    s.define("d", Values::Double(vec![0.5]), false, false);
    s.define("s", Values::strs(&["a"]), true, false);
    s.define("ro", Values::Int(vec![7]), false, true);
    s
}

#[test]
fn typed_get_and_set() {
    let mut s = set();
    assert_eq!(s.get("i", 1, PropKind::Int), Ok(Out::Int(2)));
    s.set("d", 0, Scalar::Double(2.0)).unwrap();
    assert_eq!(s.double("d", 0), Some(2.0));
    s.set("s", 0, Scalar::Str(c"x")).unwrap();
    assert_eq!(s.string("s", 0).as_deref(), Some("x"));
    assert!(s.touched("d") && !s.touched("i"));
}

#[test]
fn wrong_type_is_err_value_and_misuse() {
    let mut s = set();
    let e = s.get("i", 0, PropKind::Double).unwrap_err();
    assert_eq!(e.status, kOfxStatErrValue);
    assert!(e.misuse.unwrap().contains("int property 'i' as double"));
    assert_eq!(
        s.set("d", 0, Scalar::Int(1)).unwrap_err().status,
        kOfxStatErrValue
    );
}

#[test]
fn unknown_is_err_unknown_without_misuse() {
    let mut s = set();
    let e = s.get("nope", 0, PropKind::Int).unwrap_err();
    assert_eq!(e, PropErr::unknown());
    assert_eq!(
        s.set("nope", 0, Scalar::Int(1)).unwrap_err().status,
        kOfxStatErrUnknown
    );
    assert_eq!(s.dimension("nope").unwrap_err().status, kOfxStatErrUnknown);
}

#[test]
fn index_checks() {
    let mut s = set();
    assert_eq!(
        s.get("i", 2, PropKind::Int).unwrap_err().status,
        kOfxStatErrBadIndex
    );
    assert_eq!(
        s.get("i", -1, PropKind::Int).unwrap_err().status,
        kOfxStatErrBadIndex
    );
    // fixed dimension: cannot grow
    assert_eq!(
        s.set("d", 1, Scalar::Double(1.0)).unwrap_err().status,
        kOfxStatErrBadIndex
    );
    // variable dimension grows
    s.set("s", 2, Scalar::Str(c"z")).unwrap();
    assert_eq!(s.dimension("s"), Ok(3));
    assert_eq!(s.strings("s"), vec!["a", "", "z"]);
    assert_eq!(
        s.get_n("i", 3, PropKind::Int).unwrap_err().status,
        kOfxStatErrBadIndex
    );
    assert_eq!(
        s.get_n("i", 2, PropKind::Int).unwrap(),
        vec![Out::Int(1), Out::Int(2)]
    );
}

#[test]
fn set_n_replaces_variable_dimension() {
    let mut s = set();
    s.set_n("s", &[Scalar::Str(c"p"), Scalar::Str(c"q")])
        .unwrap();
    assert_eq!(s.strings("s"), vec!["p", "q"]);
    s.set_n("s", &[Scalar::Str(c"r")]).unwrap();
    assert_eq!(s.strings("s"), vec!["r"]);
    assert_eq!(
        s.set_n("i", &[Scalar::Int(1), Scalar::Int(2), Scalar::Int(3)])
            .unwrap_err()
            .status,
        kOfxStatErrBadIndex
    );
}

#[test]
fn read_only_and_reset() {
    let mut s = set();
    let e = s.set("ro", 0, Scalar::Int(1)).unwrap_err();
    assert_eq!(e.status, kOfxStatErrValue);
    assert!(e.misuse.is_some());
    s.set("i", 0, Scalar::Int(9)).unwrap();
    s.reset("i").unwrap();
    assert_eq!(s.int("i", 0), Some(1));
}

#[test]
fn open_sets_accept_new_properties() {
    let mut s = PropertySet::open();
    s.set("Custom", 0, Scalar::Str(c"v")).unwrap();
    s.set("Custom", 1, Scalar::Str(c"w")).unwrap();
    assert_eq!(s.dump().strings("Custom"), vec!["v", "w"]);
    // once created, the type sticks
    assert_eq!(
        s.set("Custom", 0, Scalar::Int(1)).unwrap_err().status,
        kOfxStatErrValue
    );
}

#[test]
fn string_pointers_stay_valid_until_changed() {
    let mut s = set();
    let Out::Str(p) = s.get("s", 0, PropKind::String).unwrap() else {
        panic!("not a string")
    };
    s.set("d", 0, Scalar::Double(3.0)).unwrap();
    let Out::Str(q) = s.get("s", 0, PropKind::String).unwrap() else {
        panic!("not a string")
    };
    assert_eq!(p, q);
}
