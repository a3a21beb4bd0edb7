//! Compute pipelines built once per shader entry point and cached on the device, and the one
//! way work is dispatched: binding 0 is a small uniform block, bindings 1… the storage
//! buffers, in the order the shader declares them (layouts derived from the shader).

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

    fn bytes(&self) -> Vec<u8> {
        let mut words = self.0.clone();
        words.resize(words.len().div_ceil(4).max(1) * 4, 0);
        words.iter().flat_map(|w| w.to_le_bytes()).collect()
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
        let block = self
            .device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some("uniforms"),
                contents: &uniforms.bytes(),
                usage: wgpu::BufferUsages::UNIFORM,
            });
        let mut entries = vec![wgpu::BindGroupEntry {
            binding: 0,
            resource: block.as_entire_binding(),
        }];
        entries.extend(
            buffers
                .iter()
                .enumerate()
                .map(|(i, b)| wgpu::BindGroupEntry {
                    binding: i as u32 + 1,
                    resource: b.as_entire_binding(),
                }),
        );
        let group = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: None,
            layout: &kernel.layout,
            entries: &entries,
        });
        let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor::default());
        pass.set_pipeline(&kernel.pipeline);
        pass.set_bind_group(0, &group, &[]);
        pass.dispatch_workgroups(groups.0, groups.1, groups.2);
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
        self.buffers.release_pending();
    }
}
