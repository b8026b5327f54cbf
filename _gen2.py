import time, torch, glob
from pathlib import Path
import sys; torch.set_num_threads(int(sys.argv[1]))
from customize import chat, lora
from customize.generate import generate
root = Path(glob.glob('/tmp/cz/demo/a/train/*/model')[0])
T = chat.load_tokenizer(root)
m = lora.load_base(root, torch.float32).eval()
ps = [list(range(10, 460))] * 16
for new in (1, 33):
    t = time.time(); generate(m, T, ps, new, 16, [99999]); print(new, round(time.time() - t, 2))
x = torch.randint(0, 8000, (16, 1))
with torch.no_grad():
    t = time.time()
    for _ in range(20): m(input_ids=x)
    print('20 single-token forwards (no cache)', round(time.time() - t, 2))
