//! Per-instance runtime state the suites consult: running actions, live images, messages and the
//! violations found so far; plus the thread-local stack of actions the host is inside.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

use crate::ffi::imagebuf::ImageBuf;
use crate::profile::HostProfile;
use crate::registry::{self, lock};
use crate::render::ImageLayout;

/// Messages and violations of one instance (or of the host, for descriptor actions).
#[derive(Default)]
pub(crate) struct Log {
    pub violations: Mutex<Vec<String>>,
    pub messages: Mutex<Vec<(String, String)>>,
    pub persistent: Mutex<Option<(String, String)>>,
    /// Last error or fatal message, per action id.
    pub last_error: Mutex<Option<(String, String)>>,
}

impl Log {
    pub(crate) fn violation(&self, text: impl Into<String>) {
        lock(&self.violations).push(text.into());
    }

    pub(crate) fn violations(&self) -> Vec<String> {
        lock(&self.violations).clone()
    }
}

/// Violations that could not be tied to any host or instance (a bad handle outside any action).
pub(crate) static ORPHANS: LazyLock<Log> = LazyLock::new(Log::default);

/// What a Render action runs with.
pub(crate) struct RenderState {
    pub time: f64,
    pub scale: f64,
    pub layout: ImageLayout,
    pub thumbnail: bool,
    /// Per input clip: frame ranges declared in GetFramesNeeded (default: [time, time]).
    pub allowed: BTreeMap<String, Vec<(f64, f64)>>,
    /// The output buffer and its pixel bounds (x1, y1, x2, y2).
    pub output: Arc<ImageBuf>,
    pub bounds: [i32; 4],
    pub premult: String,
}

pub(crate) struct ActiveAction {
    pub name: String,
    pub render: Option<Arc<RenderState>>,
    /// Layout and render scale of the frame a per-frame action (RoD, RoI...) is about.
    pub frame: Option<FrameOpts>,
}

/// The image layout and render scale of the frame being worked on.
#[derive(Debug, Clone)]
pub(crate) struct FrameOpts {
    pub layout: ImageLayout,
    pub scale: f64,
}

/// The action a suite call belongs to.
pub(crate) struct Current {
    pub id: u64,
    pub render: Option<Arc<RenderState>>,
    pub frame: Option<FrameOpts>,
}

pub(crate) struct LiveImage {
    pub action: Option<u64>,
    pub clip: String,
    pub time: f64,
}

/// Canonical project geometry: size (the Source image size) and offset (the bounds origin).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Project {
    pub size: (f64, f64),
    pub offset: (f64, f64),
}

pub(crate) struct Runtime {
    pub id: u64,
    pub profile: HostProfile,
    pub log: Arc<Log>,
    pub actions: Mutex<BTreeMap<u64, ActiveAction>>,
    pub images: Mutex<HashMap<usize, LiveImage>>,
    /// The time of the host's timeline (what paramGetValue without a time reads).
    pub timeline_time: Mutex<f64>,
    pub project: Mutex<Project>,
    /// Layout and render scale images get outside Render (instance-changed analysis).
    pub idle_layout: Mutex<ImageLayout>,
    /// Parameters the plugin set outside a host edit, to report as kOfxChangePluginEdited.
    pub plugin_edits: Mutex<Vec<String>>,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl Runtime {
    pub(crate) fn new(profile: HostProfile, project: Project) -> Arc<Runtime> {
        Arc::new(Runtime {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            profile,
            log: Arc::new(Log::default()),
            actions: Mutex::new(BTreeMap::new()),
            images: Mutex::new(HashMap::new()),
            timeline_time: Mutex::new(0.0),
            project: Mutex::new(project),
            idle_layout: Mutex::new(ImageLayout::default()),
            plugin_edits: Mutex::new(Vec::new()),
        })
    }

    /// The action a call belongs to: the innermost one of this instance on the calling thread;
    /// from another thread (the plugin's workers), the only action running, else the only
    /// Render, else the Render at `time`.
    pub(crate) fn current_action(&self, time: Option<f64>) -> Option<Current> {
        let on_thread = STACK.with(|s| {
            s.borrow()
                .iter()
                .rev()
                .find(|f| f.runtime == Some(self.id))
                .map(|f| f.action_id)
        });
        let actions = lock(&self.actions);
        let current = |id: u64, a: &ActiveAction| Current {
            id,
            render: a.render.clone(),
            frame: a.frame.clone(),
        };
        if let Some(id) = on_thread {
            return actions.get(&id).map(|a| current(id, a));
        }
        if actions.len() == 1 {
            let (id, a) = actions.iter().next()?;
            return Some(current(*id, a));
        }
        let renders: Vec<(&u64, &ActiveAction)> =
            actions.iter().filter(|(_, a)| a.render.is_some()).collect();
        let at_time = |(_, a): &&(&u64, &ActiveAction)| {
            let t = a.render.as_ref().map_or(f64::NAN, |r| r.time);
            time.is_some_and(|time| (t - time).abs() < 1e-6)
        };
        let pick = match renders.as_slice() {
            [one] => Some(one),
            _ => renders.iter().find(at_time),
        };
        pick.map(|(id, a)| current(**id, a))
    }

    /// Whether an action named `name` is running on this instance on the calling thread.
    pub(crate) fn in_action_on_thread(&self, names: &[&str]) -> Option<String> {
        let ids: Vec<u64> = STACK.with(|s| {
            s.borrow()
                .iter()
                .filter(|f| f.runtime == Some(self.id))
                .map(|f| f.action_id)
                .collect()
        });
        let actions = lock(&self.actions);
        ids.iter()
            .filter_map(|id| actions.get(id))
            .find(|a| names.contains(&a.name.as_str()))
            .map(|a| a.name.clone())
    }

    pub(crate) fn begin(
        &self,
        name: &str,
        render: Option<Arc<RenderState>>,
        frame: Option<FrameOpts>,
    ) -> u64 {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let action = ActiveAction {
            name: name.to_owned(),
            render,
            frame,
        };
        lock(&self.actions).insert(id, action);
        id
    }

    /// Ends an action: images it fetched and did not release are violations (and are freed).
    pub(crate) fn end(&self, id: u64) {
        let name = lock(&self.actions).remove(&id).map(|a| a.name);
        let none_left = lock(&self.actions).is_empty();
        let leaked: Vec<(usize, LiveImage)> = {
            let mut images = lock(&self.images);
            let keys: Vec<usize> = images
                .iter()
                .filter(|(_, im)| im.action == Some(id) || (none_left && im.action.is_none()))
                .map(|(h, _)| *h)
                .collect();
            keys.into_iter()
                .filter_map(|h| images.remove(&h).map(|im| (h, im)))
                .collect()
        };
        for (h, im) in leaked {
            registry::remove(h);
            self.log.violation(format!(
                "image of clip '{}' at time {} fetched in {} and not released by the end of it",
                im.clip,
                im.time,
                name.as_deref().unwrap_or("an action")
            ));
        }
    }
}

/// One action the host is inside, on this thread.
#[derive(Clone)]
pub(crate) struct Frame {
    pub runtime: Option<u64>,
    pub action_id: u64,
    pub log: Arc<Log>,
}

thread_local! {
    static STACK: RefCell<Vec<Frame>> = const { RefCell::new(Vec::new()) };
}

pub(crate) fn push(frame: Frame) {
    STACK.with(|s| s.borrow_mut().push(frame));
}

pub(crate) fn pop() {
    STACK.with(|s| {
        s.borrow_mut().pop();
    });
}

/// Records a violation against the innermost action on this thread (or the orphan log).
pub(crate) fn violation(text: impl Into<String>) {
    let log = STACK.with(|s| s.borrow().last().map(|f| f.log.clone()));
    match log {
        Some(log) => log.violation(text),
        None => ORPHANS.violation(text),
    }
}
