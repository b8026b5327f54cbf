import time, torch, glob, sys, numpy as np
from pathlib import Path
torch.set_num_threads(1)
from customize import chat, lora
from customize.batches import ChatBatches
from customize.data import command_examples
from customize.commands import SCHEMA_PATH
from customize.loss import AnswerLoss
root = Path(glob.glob('/tmp/cz/demo/a/train/*/model')[0])
T = chat.load_tokenizer(root)
B = ChatBatches.from_examples(T, command_examples(Path('data/commands/train.jsonl'), SCHEMA_PATH, []))
dt = torch.bfloat16 if sys.argv[1] == 'bf16' else torch.float32
base = lora.load_base(root, dt)
if sys.argv[3] != 'sdpa': base.set_attn_implementation(sys.argv[3])
m = lora.wrap(base, 'x', 16, 32, float(sys.argv[2]), ['q_proj','k_proj','v_proj','o_proj','gate_proj','up_proj','down_proj'], 1)
L = AnswerLoss(m)
opt = torch.optim.AdamW([p for p in m.parameters() if p.requires_grad], lr=1e-3, fused=True)
def step(s):
    b = B.batch(np.arange(s*16, s*16+16))
    with torch.autocast('cpu', dtype=torch.bfloat16, enabled=dt==torch.bfloat16):
        loss = L(b)
    loss.backward(); opt.step(); opt.zero_grad()
for s in range(3): step(s)
t=time.time()
for s in range(3, 13): step(s)
print(sys.argv[1:], 'step', round((time.time()-t)/10, 3))
if len(sys.argv) > 4:
    from torch.profiler import profile
    with profile() as p:
        for s in range(13, 16): step(s)
    print(p.key_averages().table(sort_by="self_cpu_time_total", row_limit=25))
