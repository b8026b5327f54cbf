import time, torch, glob, sys, numpy as np
from pathlib import Path
torch.set_num_threads(int(sys.argv[1]))
from customize import chat, lora
from customize.batches import ChatBatches
from customize.data import command_examples
from customize.commands import SCHEMA_PATH
from customize.loss import AnswerLoss
root = Path(glob.glob('/tmp/cz/demo/a/train/*/model')[0])
T = chat.load_tokenizer(root)
ex = command_examples(Path('data/commands/train.jsonl'), SCHEMA_PATH, [])
B = ChatBatches.from_examples(T, ex)
print('mean len', B.lengths().mean())
m = lora.wrap(lora.load_base(root, torch.bfloat16), 'x', 8, 16, 0.05, ['q_proj','k_proj','v_proj','o_proj','gate_proj','up_proj','down_proj'], 1)
L = AnswerLoss(m)
opt = torch.optim.AdamW([p for p in m.parameters() if p.requires_grad], lr=1e-3, fused=True)
ts=[]
for s in range(8):
    b = B.batch(np.arange(s*16, s*16+16))
    t=time.time()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        loss = L(b)
    loss.backward(); opt.step(); opt.zero_grad()
    ts.append(time.time()-t)
print(sys.argv[1], 'threads: step s', [round(x,2) for x in ts], 'tok/s', round(16*B.lengths().mean()/np.median(ts[2:])))
