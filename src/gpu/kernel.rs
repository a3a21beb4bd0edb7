//! Compute pipelines built once per shader entry point and cached on the device, and the one
//! way work is dispatched: binding 0 is a small uniform block, bindings 1… the storage
//! buffers, in the order the shader declares them (layouts derived from the shader).
//!
//! Bind groups (with their uniform blocks) are cached too: an iterative step (the Poisson
//! solve records hundreds of dispatches per face) and the next frame's render (pooled buffers
//! come back) bind the same buffers with the same uniforms, and creating a buffer and a bind
//! group per dispatch costs more CPU time than recording it.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;
use wgpu::util::DeviceExt;

use super::Gpu;

/// Pixels per workgroup side of the 2-D kernels (every shader declares `@workgroup_size(8, 8)`
/// or `(64)` for 1-D work).
pub const TILE: u32 = 8;

/// A compiled compute pipeline.
pub struct Kernel {
    pub pipeline: wgpu::ComputePipeline,
    layout: wgpu::BindGroupLayout,
}

#[derive(Default)]
pub(crate) struct KernelCache {
    kernels: Mutex<HashMap<(&'static str, &'static str), Arc<Kernel>>>,
    bindings: Mutex<BindingCache>,
    constants: Mutex<HashMap<Vec<u8>, wgpu::Buffer>>,
}

/// What a bind group binds: equal keys make interchangeable bind groups.
#[derive(PartialEq, Eq, Hash)]
struct BindingKey {
    pipeline: wgpu::ComputePipeline,
    uniforms: Vec<u32>,
    buffers: Vec<wgpu::Buffer>,
}

/// Bind groups in two generations: a lookup moves an entry to the current one, and when the
/// current one is full the previous one is dropped, so what is in use stays and the rest
/// (uniforms that changed, buffers the pool let go) ages out.
struct Generations<K, V> {
    current: HashMap<K, V>,
    previous: HashMap<K, V>,
    capacity: usize,
}

type BindingCache = Generations<BindingKey, wgpu::BindGroup>;

impl<K, V> Default for Generations<K, V> {
    fn default() -> Self {
        Generations {
            current: HashMap::new(),
            previous: HashMap::new(),
            capacity: GENERATION,
        }
    }
}

/// Bind groups per generation.
const GENERATION: usize = 1024;
/// Distinct constant buffers kept (blur kernels: one per radius in use).
const CONSTANTS: usize = 64;

impl<K: Eq + std::hash::Hash, V: Clone> Generations<K, V> {
    fn get_or_insert(&mut self, key: K, create: impl FnOnce(&K) -> V) -> V {
        if let Some(group) = self.current.get(&key) {
            return group.clone();
        }
        let group = match self.previous.remove(&key) {
            Some(group) => group,
            None => create(&key),
        };
        if self.current.len() >= self.capacity {
            self.previous = std::mem::take(&mut self.current);
        }
        self.current.insert(key, group.clone());
        group
    }

    fn retain(&mut self, keep: impl Fn(&K) -> bool) {
        self.current.retain(|k, _| keep(k));
        self.previous.retain(|k, _| keep(k));
    }
}

impl BindingCache {
    /// Drops the bind groups that bind any of `buffers` (freed by the pool).
    fn forget(&mut self, buffers: &[wgpu::Buffer]) {
        self.retain(|k| !k.buffers.iter().any(|b| buffers.contains(b)));
    }
}

#[cfg(test)]
mod tests {
    use super::Generations;

    #[test]
    fn entries_in_use_survive_and_the_rest_age_out() {
        let mut cache = Generations {
            capacity: 2,
            ..Generations::default()
        };
        let mut made = 0;
        let mut get = |cache: &mut Generations<u32, u32>, k| {
            cache.get_or_insert(k, |&k| {
                made += 1;
                k * 10
            })
        };
        assert_eq!(get(&mut cache, 1), 10);
        assert_eq!(get(&mut cache, 2), 20);
        assert_eq!(get(&mut cache, 3), 30); // 1 and 2 become the previous generation
        assert_eq!(get(&mut cache, 1), 10); // promoted back, not made again
        assert_eq!(get(&mut cache, 4), 40); // 3 and 1 previous, 2 dropped
        assert_eq!(get(&mut cache, 2), 20); // made again
        assert_eq!(made, 5);
        cache.retain(|&k| k != 4);
        assert!(!cache.current.contains_key(&4) && !cache.previous.contains_key(&4));
    }
}

/// A uniform block as 32-bit words (u32, i32 and f32 by their bits), padded to 16 bytes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Uniforms(Vec<u32>);

impl Uniforms {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn u32(mut self, v: u32) -> Self {
        self.0.push(v);
        self
    }

    pub fn i32(mut self, v: i32) -> Self {
        self.0.push(v as u32);
        self
    }

    pub fn f32(mut self, v: f32) -> Self {
        self.0.push(v.to_bits());
        self
    }

    fn padded(&self) -> Vec<u32> {
        let mut words = self.0.clone();
        words.resize(words.len().div_ceil(4).max(1) * 4, 0);
        words
    }
}

impl Gpu {
    /// The pipeline of `entry` in `source` (a shader of `shaders/`), built on first use.
    pub fn kernel(&self, source: &'static str, entry: &'static str) -> Arc<Kernel> {
        let mut kernels = self.kernels.kernels.lock();
        let key = (source, entry);
        if let Some(k) = kernels.get(&key) {
            return Arc::clone(k);
        }
        let module = self
            .device
            .create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some(entry),
                source: wgpu::ShaderSource::Wgsl(source.into()),
            });
        let pipeline = self
            .device
            .create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(entry),
                layout: None,
                module: &module,
                entry_point: Some(entry),
                compilation_options: Default::default(),
                cache: None,
            });
        let layout = pipeline.get_bind_group_layout(0);
        let kernel = Arc::new(Kernel { pipeline, layout });
        kernels.insert(key, Arc::clone(&kernel));
        kernel
    }

    /// Records one dispatch of `kernel` over `groups` workgroups into `encoder`.
    pub fn dispatch(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        kernel: &Kernel,
        uniforms: &Uniforms,
        buffers: &[&wgpu::Buffer],
        groups: (u32, u32, u32),
    ) {
        let group = self.bind_group(kernel, uniforms, buffers);
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor::default());
        pass.set_pipeline(&kernel.pipeline);
        pass.set_bind_group(0, &group, &[]);
        pass.dispatch_workgroups(groups.0, groups.1, groups.2);
    }

    /// The bind group of a dispatch: cached by kernel, uniforms and buffers.
    pub(crate) fn bind_group(
        &self,
        kernel: &Kernel,
        uniforms: &Uniforms,
        buffers: &[&wgpu::Buffer],
    ) -> wgpu::BindGroup {
        let key = BindingKey {
            pipeline: kernel.pipeline.clone(),
            uniforms: uniforms.padded(),
            buffers: buffers.iter().map(|&b| b.clone()).collect(),
        };
        self.kernels.bindings.lock().get_or_insert(key, |key| {
            let block = self
                .device
                .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                    label: Some("uniforms"),
                    contents: bytemuck::cast_slice(&key.uniforms),
                    usage: wgpu::BufferUsages::UNIFORM,
                });
            let mut entries = vec![wgpu::BindGroupEntry {
                binding: 0,
                resource: block.as_entire_binding(),
            }];
            entries.extend(
                key.buffers
                    .iter()
                    .enumerate()
                    .map(|(i, b)| wgpu::BindGroupEntry {
                        binding: i as u32 + 1,
                        resource: b.as_entire_binding(),
                    }),
            );
            self.device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: None,
                layout: &kernel.layout,
                entries: &entries,
            })
        })
    }

    /// A read-only storage buffer holding `bytes`, made once per distinct content (kernels'
    /// constant tables), so dispatches binding it reuse their bind groups.
    pub fn constant(&self, label: &str, bytes: &[u8]) -> wgpu::Buffer {
        let mut constants = self.kernels.constants.lock();
        if let Some(b) = constants.get(bytes) {
            return b.clone();
        }
        if constants.len() >= CONSTANTS {
            let evicted: Vec<wgpu::Buffer> = constants.drain().map(|(_, b)| b).collect();
            self.kernels.bindings.lock().forget(&evicted);
        }
        let buffer = self
            .device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(label),
                contents: bytes,
                usage: wgpu::BufferUsages::STORAGE,
            });
        constants.insert(bytes.to_vec(), buffer.clone());
        buffer
    }

    /// Workgroups covering a `width × height` grid in [`TILE`]² tiles.
    pub fn tiles(width: usize, height: usize) -> (u32, u32, u32) {
        (
            (width as u32).div_ceil(TILE),
            (height as u32).div_ceil(TILE),
            1,
        )
    }

    pub fn encoder(&self) -> wgpu::CommandEncoder {
        self.device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor::default())
    }

    /// Submits `encoder`; buffers returned while it was recorded become reusable.
    pub fn submit(&self, encoder: wgpu::CommandEncoder) {
        self.queue.submit([encoder.finish()]);
        let freed = self.buffers.release_pending();
        if !freed.is_empty() {
            self.kernels.bindings.lock().forget(&freed);
        }
    }
}
