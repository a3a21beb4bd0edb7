//! Typed access to OFX property sets through the host's property suite.

use std::ffi::{c_char, c_void, CStr, CString};

use openfx::sys::generic::core::{kOfxStatOK, OfxPropertySetHandle, OfxStatus};
use openfx::sys::generic::property::OfxPropertySuiteV1;

use super::OfxError;

/// A host property set. Copyable: the host owns it.
#[derive(Clone, Copy)]
pub struct PropSet {
    handle: OfxPropertySetHandle,
    suite: &'static OfxPropertySuiteV1,
}

// SAFETY: property set handles are opaque host tokens; OFX hosts accept property calls from the thread running the action, which is the only thread a PropSet is used on within an action.
unsafe impl Send for PropSet {}
// SAFETY: as above.
unsafe impl Sync for PropSet {}

fn check(status: OfxStatus, what: &'static str, name: &CStr) -> Result<(), OfxError> {
    if status == kOfxStatOK {
        Ok(())
    } else {
        Err(OfxError::Property {
            what,
            name: name.to_string_lossy().into_owned(),
            status,
        })
    }
}

fn c_string(value: &str) -> CString {
    // Interior NULs cannot cross the C ABI; they never occur in our own strings.
    CString::new(value.replace('\0', " ")).unwrap_or_default()
}

macro_rules! suite_fn {
    ($self:ident, $f:ident) => {
        $self.suite.$f.ok_or(OfxError::MissingHostFeature(concat!(
            "property suite ",
            stringify!($f)
        )))?
    };
}

impl PropSet {
    pub fn new(handle: OfxPropertySetHandle, suite: &'static OfxPropertySuiteV1) -> Self {
        Self { handle, suite }
    }

    pub fn handle(&self) -> OfxPropertySetHandle {
        self.handle
    }

    pub fn set_string(&self, name: &CStr, index: i32, value: &str) -> Result<(), OfxError> {
        let f = suite_fn!(self, propSetString);
        let value = c_string(value);
        // SAFETY: the handle came from the host; the host copies the string before returning.
        let status = unsafe { f(self.handle, name.as_ptr(), index, value.as_ptr()) };
        check(status, "set string", name)
    }

    pub fn set_cstr(&self, name: &CStr, index: i32, value: &CStr) -> Result<(), OfxError> {
        let f = suite_fn!(self, propSetString);
        // SAFETY: as in `set_string`.
        let status = unsafe { f(self.handle, name.as_ptr(), index, value.as_ptr()) };
        check(status, "set string", name)
    }

    pub fn set_int(&self, name: &CStr, index: i32, value: i32) -> Result<(), OfxError> {
        let f = suite_fn!(self, propSetInt);
        // SAFETY: the handle came from the host; values are passed by value.
        let status = unsafe { f(self.handle, name.as_ptr(), index, value) };
        check(status, "set int", name)
    }

    pub fn set_double(&self, name: &CStr, index: i32, value: f64) -> Result<(), OfxError> {
        let f = suite_fn!(self, propSetDouble);
        // SAFETY: the handle came from the host; values are passed by value.
        let status = unsafe { f(self.handle, name.as_ptr(), index, value) };
        check(status, "set double", name)
    }

    pub fn set_doubles(&self, name: &CStr, values: &[f64]) -> Result<(), OfxError> {
        for (i, v) in values.iter().enumerate() {
            self.set_double(name, i as i32, *v)?;
        }
        Ok(())
    }

    pub fn set_ints(&self, name: &CStr, values: &[i32]) -> Result<(), OfxError> {
        for (i, v) in values.iter().enumerate() {
            self.set_int(name, i as i32, *v)?;
        }
        Ok(())
    }

    pub fn set_pointer(&self, name: &CStr, index: i32, value: *mut c_void) -> Result<(), OfxError> {
        let f = suite_fn!(self, propSetPointer);
        // SAFETY: the handle came from the host; the host stores the pointer value only.
        let status = unsafe { f(self.handle, name.as_ptr(), index, value) };
        check(status, "set pointer", name)
    }

    pub fn int(&self, name: &CStr, index: i32) -> Result<i32, OfxError> {
        let f = suite_fn!(self, propGetInt);
        let mut value = 0;
        // SAFETY: the host writes one int through the valid pointer.
        let status = unsafe { f(self.handle, name.as_ptr(), index, &mut value) };
        check(status, "get int", name)?;
        Ok(value)
    }

    pub fn double(&self, name: &CStr, index: i32) -> Result<f64, OfxError> {
        let f = suite_fn!(self, propGetDouble);
        let mut value = 0.0;
        // SAFETY: the host writes one double through the valid pointer.
        let status = unsafe { f(self.handle, name.as_ptr(), index, &mut value) };
        check(status, "get double", name)?;
        Ok(value)
    }

    pub fn doubles<const N: usize>(&self, name: &CStr) -> Result<[f64; N], OfxError> {
        let mut out = [0.0; N];
        for (i, v) in out.iter_mut().enumerate() {
            *v = self.double(name, i as i32)?;
        }
        Ok(out)
    }

    pub fn ints<const N: usize>(&self, name: &CStr) -> Result<[i32; N], OfxError> {
        let mut out = [0; N];
        for (i, v) in out.iter_mut().enumerate() {
            *v = self.int(name, i as i32)?;
        }
        Ok(out)
    }

    pub fn pointer(&self, name: &CStr, index: i32) -> Result<*mut c_void, OfxError> {
        let f = suite_fn!(self, propGetPointer);
        let mut value = std::ptr::null_mut();
        // SAFETY: the host writes one pointer through the valid out-pointer.
        let status = unsafe { f(self.handle, name.as_ptr(), index, &mut value) };
        check(status, "get pointer", name)?;
        Ok(value)
    }

    pub fn string(&self, name: &CStr, index: i32) -> Result<String, OfxError> {
        let f = suite_fn!(self, propGetString);
        let mut value: *mut c_char = std::ptr::null_mut();
        // SAFETY: the host writes a pointer to a NUL-terminated string it owns.
        let status = unsafe { f(self.handle, name.as_ptr(), index, &mut value) };
        check(status, "get string", name)?;
        if value.is_null() {
            return Ok(String::new());
        }
        // SAFETY: non-null, NUL-terminated, valid until the property changes; copied at once.
        Ok(unsafe { CStr::from_ptr(value) }
            .to_string_lossy()
            .into_owned())
    }
}
