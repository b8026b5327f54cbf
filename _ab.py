import time, torch, glob, sys, numpy as np, statistics
from pathlib import Path
torch.set_num_threads(int(sys.argv[1]))
from customize import chat, lora
from customize.batches import ChatBatches
from customize.data import command_examples
from customize.commands import SCHEMA_PATH
from customize.loss import AnswerLoss
root = Path(glob.glob('/tmp/cz/demo/a/train/*/model')[0])
T = chat.load_tokenizer(root)
B = ChatBatches.from_examples(T, command_examples(Path('data/commands/train.jsonl'), SCHEMA_PATH, []))
if len(sys.argv) > 2:
    n = int(sys.argv[2]); rng = np.random.default_rng(0)
    ids = [rng.integers(10, 8000, n) for _ in range(400)]
    labs = [np.where(np.arange(n) > 0.85 * n, r, -100) for r in ids]
    B = ChatBatches(ids, labs, 2)
mb = 8 if len(sys.argv) > 2 else 16
def make(dt, attn, drop):
    base = lora.load_base(root, dt)
    if attn != 'sdpa': base.set_attn_implementation(attn)
    m = lora.wrap(base, 'x', 16, 32, drop, ['q_proj','k_proj','v_proj','o_proj','gate_proj','up_proj','down_proj'], 1)
    return m, AnswerLoss(m), torch.optim.AdamW([p for p in m.parameters() if p.requires_grad], lr=1e-3, fused=True), dt
cfgs = {c: make(*c) for c in [(torch.bfloat16,'sdpa',0.0),(torch.bfloat16,'eager',0.0),(torch.float32,'sdpa',0.0)]}
times = {c: [] for c in cfgs}
for s in range(12):
    for c,(m,L,opt,dt) in cfgs.items():
        b = B.batch(np.arange(s*mb, s*mb+mb))
        t=time.time()
        with torch.autocast('cpu', dtype=torch.bfloat16, enabled=dt==torch.bfloat16):
            loss = L(b)
        loss.backward(); opt.step(); opt.zero_grad()
        if s >= 2: times[c].append(time.time()-t)
for c, t in times.items(): print(c, round(statistics.median(t), 3))
