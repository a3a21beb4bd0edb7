//! The per-frame negotiation before Render: region of definition, regions of interest, frames
//! needed and identity.

use std::collections::BTreeMap;

use crate::action::{self, d, i, s};
use crate::consts::*;
use crate::error::RenderFailure;
use crate::image::HostImage;
use crate::instance::Instance;
use crate::props::PropertySet;
use crate::registry::lock;
use crate::render::{failure, RenderOptions};

impl Instance {
    /// The output RoD in canonical coordinates.
    pub(crate) fn region_of_definition(
        &self,
        time: f64,
        opts: &RenderOptions,
    ) -> Result<[f64; 4], RenderFailure> {
        let default = crate::prefs::default_rod(self, time, opts.layout.origin);
        let sc = opts.render_scale;
        let mut ins = action::args(vec![
            (kOfxPropTime, d(&[time])),
            (kOfxImageEffectPropRenderScale, d(&[sc, sc])),
        ]);
        self.thumbnail_arg(&mut ins, opts);
        let outs = action::args(vec![(kOfxImageEffectPropRegionOfDefinition, d(&default))]);
        let reply = action::call(
            &self.frame_target(opts),
            kOfxImageEffectActionGetRegionOfDefinition,
            Some(ins),
            Some(outs),
            None,
        );
        let rod = match reply.status {
            kOfxStatOK => reply
                .out
                .doubles(n(kOfxImageEffectPropRegionOfDefinition))
                .unwrap_or_default(),
            kOfxStatReplyDefault => default.to_vec(),
            st => return Err(failure(kOfxImageEffectActionGetRegionOfDefinition, st)),
        };
        let p = *lock(&self.runtime.project);
        let limit = [
            p.offset.0,
            p.offset.1,
            p.offset.0 + p.size.0,
            p.offset.1 + p.size.1,
        ];
        let mut r = [0.0; 4];
        for (k, v) in rod.iter().take(4).enumerate() {
            r[k] = if v.is_finite() && v.abs() < 1e9 {
                *v
            } else {
                limit[k]
            };
        }
        if rod.len() != 4 || r[2] <= r[0] || r[3] <= r[1] {
            let text = format!("GetRegionOfDefinition answered an empty or malformed RoD {rod:?}");
            self.runtime.log.violation(text.clone());
            return Err(RenderFailure::host(text));
        }
        Ok(r)
    }

    pub(crate) fn regions_of_interest(
        &self,
        time: f64,
        opts: &RenderOptions,
        rod: [f64; 4],
    ) -> Result<(), RenderFailure> {
        let sc = opts.render_scale;
        let mut ins = action::args(vec![
            (kOfxPropTime, d(&[time])),
            (kOfxImageEffectPropRenderScale, d(&[sc, sc])),
            (kOfxImageEffectPropRegionOfInterest, d(&rod)),
        ]);
        self.thumbnail_arg(&mut ins, opts);
        let mut outs = PropertySet::closed();
        for c in self.effect.clip_list().iter().filter(|c| !c.is_output()) {
            outs.define(&format!("{ROI_PREFIX}{}", c.name), d(&rod), false, false);
        }
        let reply = action::call(
            &self.frame_target(opts),
            kOfxImageEffectActionGetRegionsOfInterest,
            Some(ins),
            Some(outs),
            None,
        );
        match reply.ok_or_default() {
            true => Ok(()),
            false => Err(failure(
                kOfxImageEffectActionGetRegionsOfInterest,
                reply.status,
            )),
        }
    }

    /// Frame ranges per input clip (GetFramesNeeded only for temporal effects).
    pub(crate) fn frames_needed(
        &self,
        time: f64,
        opts: &RenderOptions,
    ) -> Result<BTreeMap<String, Vec<(f64, f64)>>, RenderFailure> {
        let inputs: Vec<String> = self
            .effect
            .clip_list()
            .iter()
            .filter(|c| !c.is_output())
            .map(|c| c.name.clone())
            .collect();
        let mut allowed: BTreeMap<_, _> = inputs
            .iter()
            .map(|c| (c.clone(), vec![(time, time)]))
            .collect();
        if !self.temporal {
            return Ok(allowed);
        }
        let mut ins = action::args(vec![(kOfxPropTime, d(&[time]))]);
        self.thumbnail_arg(&mut ins, opts);
        let mut outs = PropertySet::closed();
        for c in &inputs {
            outs.define(
                &format!("{FRAME_RANGE_PREFIX}{c}"),
                d(&[time, time]),
                true,
                false,
            );
        }
        let reply = action::call(
            &self.frame_target(opts),
            kOfxImageEffectActionGetFramesNeeded,
            Some(ins),
            Some(outs),
            None,
        );
        match reply.status {
            kOfxStatOK => {}
            kOfxStatReplyDefault => return Ok(allowed),
            st => return Err(failure(kOfxImageEffectActionGetFramesNeeded, st)),
        }
        for c in &inputs {
            let v = reply
                .out
                .doubles(&format!("{FRAME_RANGE_PREFIX}{c}"))
                .unwrap_or_default();
            if !v.len().is_multiple_of(2) || v.chunks(2).any(|p| p[0] > p[1]) {
                self.runtime.log.violation(format!(
                    "GetFramesNeeded: malformed ranges {v:?} for clip '{c}'"
                ));
            }
            allowed.insert(c.clone(), v.chunks_exact(2).map(|p| (p[0], p[1])).collect());
        }
        Ok(allowed)
    }

    /// IsIdentity: the host's copy of the named clip when the plugin says so.
    pub(crate) fn identity(
        &self,
        time: f64,
        opts: &RenderOptions,
        bounds: [i32; 4],
    ) -> Result<Option<HostImage>, RenderFailure> {
        let sc = opts.render_scale;
        let mut ins = action::args(vec![
            (kOfxPropTime, d(&[time])),
            (kOfxImageEffectPropFieldToRender, s(n(kOfxImageFieldNone))),
            (kOfxImageEffectPropRenderWindow, i(&bounds)),
            (kOfxImageEffectPropRenderScale, d(&[sc, sc])),
        ]);
        self.thumbnail_arg(&mut ins, opts);
        let outs = action::args(vec![(kOfxPropName, s("")), (kOfxPropTime, d(&[time]))]);
        let reply = action::call(
            &self.frame_target(opts),
            kOfxImageEffectActionIsIdentity,
            Some(ins),
            Some(outs),
            None,
        );
        match reply.status {
            kOfxStatOK => {}
            kOfxStatReplyDefault => return Ok(None),
            st => return Err(failure(kOfxImageEffectActionIsIdentity, st)),
        }
        let clip = reply.out.string(n(kOfxPropName), 0).unwrap_or_default();
        let at = reply.out.double(n(kOfxPropTime), 0).unwrap_or(time);
        crate::prefs::copy_identity(self, &clip, at, opts, bounds).map(Some)
    }
}
