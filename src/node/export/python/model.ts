/**
 * The fixed part of an exported project's model.py (see ../pytorch.ts for the generated header
 * and build_model()). Python source in a String.raw template: no backquotes and no dollar-brace
 * in it.
 */
export const MODEL_PY = String.raw`import json
import math
import os
import re

import torch
import torch.nn.functional as F
from torch import nn

# The cells are PyTorch's own modules. Their equations are Sequence Lab's (src/core/cells/), with
# the gate blocks of W_ih [G*H, I] and W_hh [G*H, H] in PyTorch's order:
#
#   RNN   h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)               (or relu)
#   LSTM  i, f, g, o = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh, split in 4
#         i, f, o = sigmoid(i, f, o);  g = tanh(g)
#         c_t = f * c_{t-1} + i * g;   h_t = o * tanh(c_t)
#   GRU   r, z = sigmoid(W_i{r,z} x_t + b_i{r,z} + W_h{r,z} h_{t-1} + b_h{r,z})
#         n = tanh(W_in x_t + b_in + r * (W_hn h_{t-1} + b_hn))
#         h_t = (1 - z) * n + z * h_{t-1}
CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class Alea:
    """TensorFlow.js's seeded uniform numbers (seedrandom's alea, by Baagoe), bit for bit in Python
    doubles: Sequence Lab's dropout masks come from tf.dropout(x, rate, seed), which draws them so."""

    def __init__(self, seed):
        n = 0xEFC8249D

        def mash(data):
            nonlocal n
            for ch in str(data):
                n += ord(ch)
                h = 0.02519603282416938 * n
                n = int(h) % 4294967296  # h >>> 0
                h -= n
                h *= n
                n = int(h) % 4294967296
                h -= n
                n += h * 4294967296.0
            return (int(n) % 4294967296) * 2.3283064365386963e-10

        self.c = 1
        self.s0, self.s1, self.s2 = mash(" "), mash(" "), mash(" ")
        self.s0 -= mash(seed)
        self.s0 += 1 if self.s0 < 0 else 0
        self.s1 -= mash(seed)
        self.s1 += 1 if self.s1 < 0 else 0
        self.s2 -= mash(seed)
        self.s2 += 1 if self.s2 < 0 else 0

    def next(self):
        t = 2091639 * self.s0 + self.c * 2.3283064365386963e-10
        self.s0, self.s1 = self.s1, self.s2
        self.c = int(t)
        self.s2 = t - self.c
        return self.s2


def random_normal(seed, shape, std):
    """tf.randomNormal(shape, 0, std, 'float32', seed): Marsaglia's polar method on alea's numbers,
    each pair giving two values, in row-major order (Sequence Lab's random initial states)."""
    rng = Alea(seed)
    count = 1
    for d in shape:
        count *= d
    values = []
    while len(values) < count:
        while True:
            v1 = 2 * rng.next() - 1
            v2 = 2 * rng.next() - 1
            s = v1 * v1 + v2 * v2
            if 0 < s < 1:
                break
        mul = math.sqrt(-2.0 * math.log(s) / s)
        values += [0 + std * v1 * mul, 0 + std * v2 * mul]
    return torch.tensor(values[:count], dtype=torch.float32).view(*shape)


def dropout_multiplier(seed, shape, rate):
    """tf.dropout's multiplier floor(u + keep) / keep, u ~ U(0, 1) in float32 drawn in row-major
    order of shape (time-major [T, B, D] in Sequence Lab); zero where a unit is dropped."""
    rng = Alea(seed)
    count = 1
    for d in shape:
        count *= d
    u = torch.tensor([rng.next() for _ in range(count)], dtype=torch.float32).view(*shape)
    keep = torch.tensor(1 - rate, dtype=torch.float32)
    return torch.floor(u + keep) / keep


def merge(forward, backward, mode):
    """The two directions of a bidirectional layer, combined as the layer's "merge" says."""
    if mode == "concat":
        return torch.cat([forward, backward], dim=-1)
    if mode == "sum":
        return forward + backward
    if mode == "mul":
        return forward * backward
    return (forward + backward) * 0.5  # avg


class Stack(nn.Module):
    """Recurrent layers, one torch.nn.RNN/LSTM/GRU each (so that layers may differ in cell, width,
    direction and merge), run batch-first.

    Its state_dict uses the names of ONE multi-layer torch module, as Sequence Lab does:
    "weight_ih_l{k}", "bias_hh_l{k}_reverse", and "h0_l{k}" / "c0_l{k}" for a learned initial
    state; two hooks translate them to and from "layers.{k}.weight_ih_l0".
    """

    NESTED = re.compile(r"^layers\.(\d+)\.((?:weight|bias)_(?:ih|hh))_l0(_reverse)?$")
    FLAT = re.compile(r"^((?:weight|bias)_(?:ih|hh))_l(\d+)(_reverse)?$")

    def __init__(self, input_size, layers, learned_initial_state=False):
        super().__init__()
        self.specs = layers
        modules = []
        width = input_size
        for spec in layers:
            options = dict(input_size=width, hidden_size=spec["units"], bias=spec["bias"],
                           bidirectional=spec["bidirectional"], batch_first=True)
            if spec["cell"] == "rnn":
                options["nonlinearity"] = spec["activation"]
            modules.append(CELLS[spec["cell"]](**options))
            width = 2 * spec["units"] if spec["bidirectional"] and spec["merge"] == "concat" else spec["units"]
        self.layers = nn.ModuleList(modules)
        self.output_size = width
        self.learned = learned_initial_state
        if learned_initial_state:
            # h_0 (and c_0) learned per layer and direction, shared by every sequence, zero at first
            for k, spec in enumerate(layers):
                for suffix in self.suffixes(k):
                    self.register_parameter("h0" + suffix, nn.Parameter(torch.zeros(spec["units"])))
                    if spec["cell"] == "lstm":
                        self.register_parameter("c0" + suffix, nn.Parameter(torch.zeros(spec["units"])))
        self._register_state_dict_hook(Stack.flat_names)
        self._register_load_state_dict_pre_hook(self.nested_names)

    def suffixes(self, k):
        return ["_l%d" % k] + (["_l%d_reverse" % k] if self.specs[k]["bidirectional"] else [])

    @staticmethod
    def flat_names(module, state_dict, prefix, local_metadata):
        for key in [k for k in state_dict if k.startswith(prefix + "layers.")]:
            m = Stack.NESTED.match(key[len(prefix):])
            state_dict[prefix + m.group(2) + "_l" + m.group(1) + (m.group(3) or "")] = state_dict.pop(key)

    def nested_names(self, state_dict, prefix, *rest):
        for key in [k for k in state_dict if k.startswith(prefix)]:
            m = Stack.FLAT.match(key[len(prefix):])
            if m and int(m.group(2)) < len(self.layers):
                name = prefix + "layers." + m.group(2) + "." + m.group(1) + "_l0" + (m.group(3) or "")
                state_dict[name] = state_dict.pop(key)

    def learned_state(self, batch):
        """The learned initial state, one (h, c) per layer and direction, repeated over the batch."""
        states = []
        for k, spec in enumerate(self.specs):
            for suffix in self.suffixes(k):
                h = getattr(self, "h0" + suffix).expand(batch, -1)
                c = getattr(self, "c0" + suffix).expand(batch, -1) if spec["cell"] == "lstm" else None
                states.append((h, c))
        return states

    def forward(self, x, init=None, dropout_seed=None, shard=None, lengths=None):
        """x [B, T, F] -> output [B, T, D], and the final (h [B, H], c [B, H] or None) of every layer
        and direction in PyTorch's h_n order. init: initial states in that order (zeros when None).
        dropout_seed (training): layer k's output, below the top layer, is multiplied by tf.dropout's
        mask for dropout_seed + k, drawn over the whole batch [T, batch, D] of which this process's
        examples are the rows shard["rows"] (shard: None when they are the whole batch).
        lengths [B] (sequences of different lengths, padded): PyTorch's packed sequences; each runs
        over its own first lengths[b] steps, its output is zero after them, its final state is
        the one after its own last step, and a backward direction starts there."""
        finals = []
        for k, (rnn, spec) in enumerate(zip(self.layers, self.specs)):
            n = 2 if spec["bidirectional"] else 1
            lstm = spec["cell"] == "lstm"
            state = None
            if init is not None:
                mine = init[len(finals):len(finals) + n]
                h0 = torch.stack([s[0] for s in mine]).contiguous()
                state = (h0, torch.stack([s[1] for s in mine]).contiguous()) if lstm else h0
            if lengths is None:
                out, last = rnn(x, state)
            else:
                packed = nn.utils.rnn.pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
                out, last = rnn(packed, state)
                out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
            h_n, c_n = last if lstm else (last, None)
            finals += [(h_n[d], c_n[d] if lstm else None) for d in range(n)]
            if n == 2 and spec["merge"] != "concat":
                H = spec["units"]
                out = merge(out[..., :H], out[..., H:], spec["merge"])
            if dropout_seed is not None and spec["dropout"] > 0 and k < len(self.layers) - 1:
                T, D = out.shape[1], out.shape[2]
                batch, rows = (shard["batch"], shard["rows"]) if shard else (out.shape[0], slice(None))
                mask = dropout_multiplier(dropout_seed + k, (T, batch, D), spec["dropout"])
                out = out * mask.transpose(0, 1)[rows].to(out.device)
            x = out
        return x, finals


class Attention(nn.Module):
    """Attention over the encoder's outputs K [B, S, Hk] (Sequence Lab's src/core/attention.ts, the
    torch-attention reference model); padded source positions get -1e9 before the softmax.

      bahdanau       e_ts = energy(tanh(query(q_t) + key(K_s))), q_t the decoder's top state before
                     step t; c_t = sum_s a_ts K_s is fed to the decoder beside y_{t-1}
      luong-general  e_ts = o_t . score(K_s);  luong-dot: e_ts = o_t . K_s;  o_t the decoder's output
                     ht_t = tanh(combine(concat(c_t, o_t))) is what the head reads
    """

    MASKED = -1e9

    def __init__(self, kind, key_width, units):
        super().__init__()
        self.kind = kind
        if kind == "bahdanau":
            self.query = nn.Linear(units, units)
            self.key = nn.Linear(key_width, units)
            self.energy = nn.Linear(units, 1)
        else:
            if kind == "luong-general":
                self.score = nn.Linear(key_width, units, bias=False)
            self.combine = nn.Linear(key_width + units, units, bias=False)

    def prepare(self, K, lengths):
        """K, the part of the scores that depends on K only, and the padding mask [B, 1, S]."""
        B, S = K.shape[0], K.shape[1]
        mask = None
        if lengths is not None:
            past = torch.arange(S, device=K.device).view(1, 1, S) >= lengths.to(K.device).view(B, 1, 1)
            mask = past.to(K.dtype) * self.MASKED
        projected = self.key(K) if self.kind == "bahdanau" else self.score(K) if self.kind == "luong-general" else K
        return K, projected, mask

    @staticmethod
    def weights(e, mask):
        return torch.softmax(e + mask if mask is not None else e, dim=-1)

    def additive(self, q, prepared):
        """bahdanau, one step: the decoder's top state q [B, Hd] -> the context c_t [B, Hk]."""
        K, projected, mask = prepared
        e = self.energy(torch.tanh(projected + self.query(q).unsqueeze(1))).transpose(1, 2)  # [B, 1, S]
        return torch.bmm(self.weights(e, mask), K).squeeze(1)

    def multiplicative(self, O, prepared):
        """luong, every step at once: the decoder's outputs O [B, T, Hd] -> ht [B, T, Hd]."""
        K, projected, mask = prepared
        a = self.weights(torch.bmm(O, projected.transpose(1, 2)), mask)  # [B, T, S]
        return torch.tanh(self.combine(torch.cat([torch.bmm(a, K), O], dim=2)))


class SeqModel(nn.Module):
    """Input encoding, one stack (two for encoder-decoder) and a linear head, wired as the
    structure says:

      many-to-many     x_1..x_T -> y_1..y_T      the head reads every step of the top layer
      many-to-one      x_1..x_T -> y             the head reads the top layer's final state (a
                                                 bidirectional one: both directions' final states,
                                                 merged)
      one-to-many      x -> y_1..y_T             x is fed at t = 1, zeros after it
      encoder-decoder  x_1..x_S -> y_1..y_T      the encoder's final state starts the decoder, which
                                                 is fed <start>, y_1, ..., y_{T-1} (teacher forcing)

    Token inputs are ids [B, T] (one-hot rows, or an nn.Embedding); real inputs are [B, T, F].
    With the position feature, t / (T - 1) is appended to every step's features.
    """

    def __init__(self, structure, input_tokens, input_size, output_kind, output_size, layers,
                 decoder_layers=None, embedding_size=None, position_feature=False,
                 initial_state="zeros", head_activation="linear", head_dropout=0, loss="mse",
                 attention=None, bridge=None):
        super().__init__()
        self.structure = structure
        self.input_tokens = input_tokens
        self.input_size = input_size
        self.output_kind = output_kind
        self.output_size = output_size
        self.position_feature = position_feature
        self.head_activation = head_activation
        self.head_dropout = head_dropout
        self.loss_kind = loss
        extra = 1 if position_feature else 0
        self.embedding = nn.Embedding(input_size, embedding_size) if embedding_size else None
        width = (embedding_size or input_size) + extra
        learned = initial_state == "learned"
        if structure == "encoder-decoder":
            self.encoder = Stack(width, layers, learned)
            self.decoder_embedding = nn.Embedding(output_size, embedding_size) if embedding_size else None
            # bahdanau feeds the context c_t (the encoder's output width) beside the token
            context = self.encoder.output_size if attention == "bahdanau" else 0
            self.decoder = Stack((embedding_size or output_size) + extra + context, decoder_layers)
            top = self.decoder
            if attention:
                self.attention = Attention(attention, self.encoder.output_size, decoder_layers[-1]["units"])
            # a bidirectional encoder layer's two final states start the decoder layer through the bridge:
            #   linear  h0 = tanh(bridge.h_l{k}([h_fwd; h_bwd])),  c0 = bridge.c_l{k}([c_fwd; c_bwd])
            #   sum     h0 = h_fwd + h_bwd,  c0 = c_fwd + c_bwd
            self.bridge_kind = bridge
            if bridge == "linear":
                self.bridge = nn.ModuleDict({
                    "%s_l%d" % (s, k): nn.Linear(2 * spec["units"], spec["units"])
                    for k, spec in enumerate(layers) if spec["bidirectional"]
                    for s in (["h", "c"] if spec["cell"] == "lstm" else ["h"])
                })
        else:
            self.rnn = Stack(width, layers, learned)
            top = self.rnn
        self.head = nn.Linear(top.output_size, output_size)
        self.initial_state = initial_state
        self.random_state_seed = 1  # the next seed of a random initial state (initialState "random")

    def features(self, x, table, vocabulary, lengths=None):
        """Token ids [B, T] -> one-hot rows or embedding vectors; real inputs pass as they are.
        The position feature is t / (n - 1) for a sequence of n steps (its own length)."""
        if x.dtype == torch.long:
            x = table(x) if table is not None else F.one_hot(x, vocabulary).to(self.head.weight.dtype)
        if self.position_feature:
            B, T = x.shape[0], x.shape[1]
            t = torch.arange(T, dtype=torch.float64, device=x.device).view(1, T)
            n = (lengths.to(x.device) if lengths is not None else torch.full((B,), T, device=x.device)).to(torch.float64).view(B, 1)
            position = torch.where(n > 1, t / (n - 1).clamp(min=1), t * 0).to(x.dtype)
            x = torch.cat([x, position.view(B, T, 1)], dim=2)
        return x

    def forward(self, x, decoder_input=None, out_steps=None, init=None, dropout_seed=None, shard=None,
                lengths=None, target_lengths=None):
        """Logits [B, T_out, O] (before the head's activation), and the final states of the stack
        that read x (truncated BPTT carries them to the next window as init). dropout_seed, shard:
        see Stack.forward. lengths: of the sequences the first stack reads (one-to-many: the target
        lengths); target_lengths: the decoder's (encoder-decoder); None when all are full length."""
        h = self.features(x, self.embedding, self.input_size, None if self.structure == "one-to-many" else lengths)
        B, T = h.shape[0], h.shape[1]
        if self.structure == "one-to-many" and out_steps is not None and out_steps > T:
            h = torch.cat([h, h.new_zeros(B, out_steps - T, h.shape[2])], dim=1)
        stack = self.encoder if self.structure == "encoder-decoder" else self.rnn
        if init is None and stack.learned:
            init = stack.learned_state(B)
        elif init is None and self.initial_state == "random":
            init = self.random_state(stack, shard, B)
        out, finals = stack(h, init, dropout_seed, shard, lengths)
        if self.structure == "encoder-decoder":
            d = self.features(decoder_input, self.decoder_embedding, self.output_size, target_lengths)
            start = self.bridge_states(finals)
            attention = getattr(self, "attention", None)
            keys = attention.prepare(out, lengths) if attention is not None else None
            if attention is not None and attention.kind == "bahdanau":
                top = self.additive_decode(d, start, keys, dropout_seed, shard)
            else:
                top, _ = self.decoder(d, start, dropout_seed, shard, target_lengths)
                if attention is not None:
                    top = attention.multiplicative(top, keys)
        elif self.structure == "many-to-one":
            spec = stack.specs[-1]
            if spec["bidirectional"]:
                top = merge(finals[-2][0], finals[-1][0], spec["merge"]).unsqueeze(1)
            else:
                top = finals[-1][0].unsqueeze(1)
        else:
            top = out
        if dropout_seed is not None and self.head_dropout > 0:
            # nn.Dropout before the head, with tf.dropout's mask for dropout_seed + 17 over the
            # features Sequence Lab's head reads: [T_out * batch, D] time-major ([batch, D] many-to-one)
            T, D = top.shape[1], top.shape[2]
            batch, rows = (shard["batch"], shard["rows"]) if shard else (top.shape[0], slice(None))
            mask = dropout_multiplier(dropout_seed + 17, (T, batch, D), self.head_dropout)
            top = top * mask.transpose(0, 1)[rows].to(top.device)
        return self.head(top), finals

    def bridge_states(self, finals):
        """The decoder's initial state per layer from the encoder's final states (h_n order)."""
        if not self.bridge_kind:
            return finals
        out, i = [], 0
        for k, spec in enumerate(self.encoder.specs):
            if not spec["bidirectional"]:
                out.append(finals[i])
                i += 1
                continue
            (hf, cf), (hb, cb) = finals[i], finals[i + 1]
            i += 2
            if self.bridge_kind == "sum":
                out.append((hf + hb, cf + cb if cf is not None else None))
            else:
                h = torch.tanh(self.bridge["h_l%d" % k](torch.cat([hf, hb], dim=1)))
                c = self.bridge["c_l%d" % k](torch.cat([cf, cb], dim=1)) if cf is not None else None
                out.append((h, c))
        return out

    def additive_decode(self, d, states, keys, dropout_seed, shard):
        """bahdanau: one decoder step at a time, since step t reads c_t, which attends with the
        decoder's top state before step t (the bridged encoder state at t = 1). d [B, T, E]."""
        outs = []
        states = list(states)
        specs = self.decoder.specs
        for t in range(d.shape[1]):
            x = torch.cat([d[:, t], self.attention.additive(states[-1][0], keys)], dim=1)
            for k, (rnn, spec) in enumerate(zip(self.decoder.layers, specs)):
                h, c = states[k]
                state = (h.unsqueeze(0).contiguous(), c.unsqueeze(0).contiguous()) if spec["cell"] == "lstm" else h.unsqueeze(0).contiguous()
                o, last = rnn(x.unsqueeze(1), state)
                states[k] = (last[0][0], last[1][0]) if spec["cell"] == "lstm" else (last[0], None)
                x = o[:, 0]
                if dropout_seed is not None and spec["dropout"] > 0 and k < len(specs) - 1:
                    batch, rows = (shard["batch"], shard["rows"]) if shard else (x.shape[0], slice(None))
                    x = x * dropout_multiplier(dropout_seed + k, (batch, x.shape[1]), spec["dropout"])[rows].to(x.device)
            outs.append(x)
        return torch.stack(outs, dim=1)

    def random_state(self, stack, shard, batch=None):
        """initialState "random": h_0 (and c_0) ~ N(0, 0.1^2) [batch, H] per layer and direction,
        drawn as Sequence Lab does: tf.randomNormal seeded 1, 2, 3, ... in the order of the draws,
        counted over every forward pass that starts from them (training steps and evaluation)."""
        states = []
        for k, spec in enumerate(stack.specs):
            for _ in stack.suffixes(k):
                pair = []
                for _ in range(2 if spec["cell"] == "lstm" else 1):
                    full = random_normal(self.random_state_seed, (shard["batch"] if shard else batch, spec["units"]), 0.1)
                    self.random_state_seed += 1
                    pair.append((full[shard["rows"]] if shard else full).to(self.head.weight.device))
                states.append((pair[0], pair[1] if len(pair) > 1 else None))
        return states

    def activate(self, logits):
        if self.head_activation == "softmax":
            return torch.softmax(logits, dim=-1)
        if self.head_activation == "sigmoid":
            return torch.sigmoid(logits)
        return logits

    def loss(self, logits, y, mask=None):
        """The head's loss, a mean over every target position that counts (and output, for binary
        and mse). y: class ids [B, T] (cross-entropy), or values [B, T, O]; mask [B, T]: the target
        positions that count (None: all); padding weighs nothing."""
        if mask is None:
            if self.loss_kind == "cross-entropy":
                return F.cross_entropy(logits.reshape(-1, self.output_size), y.reshape(-1))
            if self.loss_kind == "binary-cross-entropy":
                return F.binary_cross_entropy_with_logits(logits, y)
            return F.mse_loss(self.activate(logits), y)
        w = mask.to(logits.dtype)
        rows = w.sum()
        if self.loss_kind == "cross-entropy":
            each = F.cross_entropy(logits.reshape(-1, self.output_size), y.reshape(-1), reduction="none")
            return (each * w.reshape(-1)).sum() / rows
        if self.loss_kind == "binary-cross-entropy":
            each = F.binary_cross_entropy_with_logits(logits, y, reduction="none")
        else:
            each = (self.activate(logits) - y) ** 2
        return (each * w.unsqueeze(-1)).sum() / (rows * self.output_size)

    def accuracy(self, logits, y, mask=None):
        """Fraction right (classes: argmax; binary: p > 0.5) over the positions that count; None
        for real outputs."""
        if self.output_kind == "classes":
            right = (logits.argmax(dim=-1) == y).float()
        elif self.output_kind == "binary":
            right = ((logits > 0) == (y > 0.5)).float()
        else:
            return None
        if mask is None:
            return right.mean()
        w = mask.float() if right.dim() == 2 else mask.float().unsqueeze(-1).expand_as(right)
        return (right * w).sum() / w.sum()


def read_state_dict(path):
    """A Sequence Lab state_dict JSON (names -> {shape, data}, row-major) as float32 tensors."""
    with open(path, encoding="utf-8") as f:
        raw = json.load(f)
    tensors = raw["state_dict"] if "state_dict" in raw else raw
    return {k: torch.tensor(v["data"], dtype=torch.float32).reshape(v["shape"]) for k, v in tensors.items()}


def write_state_dict(model, path, name):
    """Write the weights as Sequence Lab's state_dict JSON (what "seqlab import" reads), atomically."""
    tensors = {k: {"shape": list(v.shape), "data": v.detach().float().cpu().reshape(-1).tolist()}
               for k, v in model.state_dict().items()}
    tmp = path + ".tmp-%d" % os.getpid()
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump({"format": "seqlab-state-dict/1", "model": name, "state_dict": tensors}, f)
        f.write("\n")
    os.replace(tmp, path)
`;
