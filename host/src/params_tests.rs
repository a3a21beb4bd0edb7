//! Unit tests of keyframe interpolation and value conversion.

use super::*;

fn d(v: f64) -> Raw {
    Raw::D(vec![v])
}

#[test]
fn doubles_interpolate_linearly_and_hold_outside() {
    let mut c = Curve::new(d(5.0));
    assert_eq!(c.at(3.0), d(5.0));
    c.set_key(1.0, d(0.0));
    c.set_key(11.0, d(1.0));
    assert_eq!(c.at(0.0), d(0.0));
    assert_eq!(c.at(1.0), d(0.0));
    assert_eq!(c.at(6.0), d(0.5));
    assert_eq!(c.at(11.0), d(1.0));
    assert_eq!(c.at(20.0), d(1.0));
}

#[test]
fn keys_stay_sorted_and_replace() {
    let mut c = Curve::new(d(0.0));
    c.set_key(10.0, d(1.0));
    c.set_key(0.0, d(0.0));
    c.set_key(5.0, d(9.0));
    c.set_key(5.0, d(2.0));
    let times: Vec<f64> = c.keys.iter().map(|k| k.0).collect();
    assert_eq!(times, vec![0.0, 5.0, 10.0]);
    assert_eq!(c.at(5.0), d(2.0));
}

#[test]
fn ints_and_strings_step() {
    let mut c = Curve::new(Raw::I(vec![0]));
    c.set_key(1.0, Raw::I(vec![1]));
    c.set_key(3.0, Raw::I(vec![3]));
    assert_eq!(c.at(2.9), Raw::I(vec![1]));
    assert_eq!(c.at(3.0), Raw::I(vec![3]));
    let mut s = Curve::new(Raw::S(c"a".to_owned()));
    s.set_key(0.0, Raw::S(c"x".to_owned()));
    s.set_key(2.0, Raw::S(c"y".to_owned()));
    assert_eq!(s.at(1.5), Raw::S(c"x".to_owned()));
}

#[test]
fn multi_dimensional_interpolation() {
    let mut c = Curve::new(Raw::D(vec![0.0, 0.0]));
    c.set_key(0.0, Raw::D(vec![0.0, 10.0]));
    c.set_key(4.0, Raw::D(vec![4.0, 30.0]));
    assert_eq!(c.at(1.0), Raw::D(vec![1.0, 15.0]));
    assert_eq!(c.derivative(1.0, 2), vec![1.0, 5.0]);
    assert_eq!(c.derivative(9.0, 2), vec![0.0, 0.0]);
}

#[test]
fn integral_of_piecewise_linear() {
    let mut c = Curve::new(d(0.0));
    c.set_key(0.0, d(0.0));
    c.set_key(2.0, d(2.0));
    // ramp 0..2 gives 2, then constant 2 for one frame gives 2
    assert_eq!(c.integral(0.0, 3.0, 1), vec![4.0]);
    assert_eq!(c.integral(3.0, 0.0, 1), vec![-4.0]);
    let k = Curve::new(d(3.0));
    assert_eq!(k.integral(1.0, 2.0, 1), vec![3.0]);
}

#[test]
fn key_index_and_delete() {
    let mut c = Curve::new(d(0.0));
    for t in [1.0, 2.0, 3.0] {
        c.set_key(t, d(t));
    }
    assert_eq!(c.key_index(2.0, 0), Some(1));
    assert_eq!(c.key_index(2.0, -1), Some(0));
    assert_eq!(c.key_index(2.0, 1), Some(2));
    assert_eq!(c.key_index(0.5, -1), None);
    assert!(c.delete_key(2.0));
    assert!(!c.delete_key(2.0));
    c.delete_all_keys(3.0);
    assert!(!c.is_animated());
    assert_eq!(c.value, d(3.0));
}

#[test]
fn value_conversion_checks_shape() {
    let k2 = ParamKind::of("OfxParamTypeDouble2D").unwrap();
    assert_eq!(
        Raw::from_value(&ParamValue::Double2D(1.0, 2.0), k2),
        Ok(Raw::D(vec![1.0, 2.0]))
    );
    assert!(Raw::from_value(&ParamValue::Double(1.0), k2).is_err());
    let kd = ParamKind::of("OfxParamTypeDouble").unwrap();
    assert_eq!(
        Raw::from_value(&ParamValue::Int(2), kd),
        Ok(Raw::D(vec![2.0]))
    );
    let kb = ParamKind::of("OfxParamTypeBoolean").unwrap();
    assert_eq!(
        Raw::from_value(&ParamValue::Bool(true), kb),
        Ok(Raw::I(vec![1]))
    );
    assert_eq!(
        Raw::I(vec![1]).to_value("OfxParamTypeBoolean"),
        Some(ParamValue::Bool(true))
    );
    assert!(ParamKind::of("NotAType").is_none());
}
